package dev.passerelle.gateway.connector;

import java.time.Duration;

/**
 * When the watched folder has been still long enough to be read: a jar still being copied keeps
 * producing change events, so a rescan waits until none came for the quiet period. Times are
 * {@link System#nanoTime()} readings handed in by the caller. Not thread-safe: one watcher owns it.
 */
final class QuietPeriod {
    private final long quietNanos;
    private boolean pending;
    private long lastChange;

    QuietPeriod(Duration quiet) {
        this.quietNanos = quiet.toNanos();
    }

    /** Something changed at {@code now}: a rescan is due a quiet period later, not earlier. */
    void changed(long now) {
        pending = true;
        lastChange = now;
    }

    /** Nanoseconds until the rescan is due (0 when due), or -1 when none is pending. */
    long remaining(long now) {
        if (!pending) {
            return -1;
        }
        return Math.max(0, quietNanos - (now - lastChange));
    }

    /**
     * True, once, when the folder has been still for the quiet period: the pending rescan is
     * taken by the caller.
     */
    boolean take(long now) {
        if (remaining(now) != 0) {
            return false;
        }
        pending = false;
        return true;
    }
}
