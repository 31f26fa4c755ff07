package dev.passerelle.peers;

import java.util.concurrent.TimeUnit;

/** How the peers started as child processes are stopped. */
final class Processes {

    private Processes() {}

    /**
     * SIGTERM, then SIGKILL when the peer has not gone within 5 s; returns once it is gone or
     * another 5 s passed, so that its ports are free for the next test.
     */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
