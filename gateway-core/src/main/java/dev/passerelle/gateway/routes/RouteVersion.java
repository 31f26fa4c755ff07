package dev.passerelle.gateway.routes;

/**
 * The version of a route file a route belongs to, as the {@code passerelle} component sees it:
 * which version is newer, whether it still takes new calls, and the calls that keep it running.
 */
interface RouteVersion {

    /** Routes that come from no route file (the gateway's own, a test's): always current, never retired. */
    RouteVersion BUILT_IN = new RouteVersion() {
        @Override
        public long sequence() {
            return 0;
        }

        @Override
        public boolean current() {
            return true;
        }

        @Override
        public boolean pin() {
            return true;
        }

        @Override
        public void unpin() {
            // Never retired: nothing to count.
        }
    };

    /** Higher for a version loaded later. */
    long sequence();

    /** Whether this is its file's version in use: only a current version takes new calls. */
    boolean current();

    /**
     * Keeps the version's routes running until {@link #unpin()}. False when they are being
     * removed already: the caller looks for another version.
     */
    boolean pin();

    /** Lets go of a {@link #pin()}; the last one of a version no longer current removes its routes. */
    void unpin();
}
