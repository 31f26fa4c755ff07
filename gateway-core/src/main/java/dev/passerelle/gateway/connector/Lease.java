package dev.passerelle.gateway.connector;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts who holds something that must be closed only after the last holder lets go: a connector
 * instance a login is still using after it was swapped out, a class loader an instance still
 * runs in. The creator is the first holder.
 */
final class Lease {
    private final AtomicInteger holders = new AtomicInteger(1);
    private final Runnable onLastRelease;

    Lease(Runnable onLastRelease) {
        this.onLastRelease = onLastRelease;
    }

    /** One more holder; false once the last one let go, when the thing is closed or closing. */
    boolean acquire() {
        while (true) {
            int n = holders.get();
            if (n == 0) {
                return false;
            }
            if (holders.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** One holder fewer; the last one runs the close action, in its own thread. */
    void release() {
        int n = holders.decrementAndGet();
        if (n == 0) {
            onLastRelease.run();
        } else if (n < 0) {
            throw new IllegalStateException("released more often than acquired");
        }
    }
}
