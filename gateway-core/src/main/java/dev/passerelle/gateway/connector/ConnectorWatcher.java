package dev.passerelle.gateway.connector;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ServiceConfigurationError;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code connectors.dir} and its sub-folders, and runs the rescan once they have been
 * still for the quiet period. The rescan says whether a unit could not be read yet; it is then
 * run again a quiet period later even if nothing else changes. A failing rescan is logged and
 * the watcher goes on.
 */
public final class ConnectorWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectorWatcher.class);

    private final Path dir;
    private final WatchService watchService;
    private final QuietPeriod quiet;
    private final BooleanSupplier rescan;
    private final Thread thread;

    /**
     * Registers the folder and its sub-folders; the thread starts with {@link #start()}.
     *
     * @param rescan applies the folder's content; true when it should be run again later
     * @throws IOException when the folder cannot be watched
     */
    public ConnectorWatcher(Path dir, Duration quietPeriod, BooleanSupplier rescan) throws IOException {
        this.dir = dir;
        this.quiet = new QuietPeriod(quietPeriod);
        this.rescan = rescan;
        this.watchService = dir.getFileSystem().newWatchService();
        try {
            register(dir);
            try (DirectoryStream<Path> subFolders = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path sub : subFolders) {
                    register(sub);
                }
            }
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        this.thread = new Thread(this::run, "passerelle-connectors-watch");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void register(Path folder) throws IOException {
        folder.register(watchService, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
    }

    private void run() {
        // What changed between the start's scan and the registration is caught by a first rescan.
        quiet.changed(System.nanoTime());
        try {
            while (true) {
                long wait = quiet.remaining(System.nanoTime());
                WatchKey key = wait < 0 ? watchService.take() : watchService.poll(wait, TimeUnit.NANOSECONDS);
                while (key != null) {
                    handle(key);
                    quiet.changed(System.nanoTime());
                    key = watchService.poll();
                }
                if (quiet.take(System.nanoTime()) && rescanSafely()) {
                    quiet.changed(System.nanoTime());
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            log.debug("stopped watching {}", dir);
        }
    }

    private void handle(WatchKey key) {
        Path folder = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == ENTRY_CREATE && folder.equals(dir)) {
                Path created = dir.resolve((Path) event.context());
                if (Files.isDirectory(created)) {
                    try {
                        register(created);
                    } catch (IOException e) {
                        log.warn("cannot watch the connector folder {}: {}; its changes are seen only with the others",
                                created, e.toString());
                    }
                }
            }
        }
        if (!key.reset() && folder.equals(dir)) {
            log.warn("connectors.dir {} was removed: no longer watched until the gateway restarts", dir);
        }
    }

    private boolean rescanSafely() {
        try {
            return rescan.getAsBoolean();
        } catch (RuntimeException | LinkageError | ServiceConfigurationError e) {
            log.warn("reloading connectors from {} failed, retried at the next change: {}", dir, e.toString(), e);
            return false;
        }
    }

    /**
     * Stops the thread and waits for a rescan in progress to finish; it is not interrupted, so
     * that it never leaves a unit half-copied.
     */
    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            log.warn("closing the watch service of {} failed: {}", dir, e.toString());
        }
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
