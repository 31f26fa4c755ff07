package dev.passerelle.gateway.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher with a real WatchService; the rescan is a probe that reports each run to the test. */
class ConnectorWatcherTest {

    private static final Duration QUIET = Duration.ofMillis(200);
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path dir;

    /** When each rescan ended ({@link System#nanoTime()}), reported after it ran. */
    private final BlockingQueue<Long> rescans = new LinkedBlockingQueue<>();

    private ConnectorWatcher watcher(BooleanSupplier then) throws IOException {
        ConnectorWatcher watcher = new ConnectorWatcher(dir, QUIET, () -> {
            try {
                return then.getAsBoolean();
            } finally {
                rescans.add(System.nanoTime());
            }
        });
        watcher.start();
        return watcher;
    }

    private long nextRescan() throws InterruptedException {
        Long at = rescans.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(at, "no rescan within " + WAIT_SECONDS + " s");
        return at;
    }

    @Test
    void aChangeIsAppliedAQuietPeriodAfterTheLastOne() throws Exception {
        try (ConnectorWatcher ignored = watcher(() -> false)) {
            nextRescan(); // the first one, catching what changed before the registration
            Path jar = dir.resolve("probe.jar");
            long lastWrite = 0;
            for (int i = 0; i < 5; i++) {
                Files.write(jar, new byte[] {(byte) i}, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                lastWrite = System.nanoTime();
            }

            long at = nextRescan();

            assertTrue(at - lastWrite >= QUIET.toNanos(),
                    "rescanned " + (at - lastWrite) / 1_000_000 + " ms after the last write");
        }
    }

    @Test
    void subFolderCreatedLaterIsWatchedToo() throws Exception {
        try (ConnectorWatcher ignored = watcher(() -> false)) {
            nextRescan();
            Path unit = Files.createDirectory(dir.resolve("jwt"));
            nextRescan();
            rescans.clear();

            Files.write(unit.resolve("nimbus.jar"), new byte[] {1});

            nextRescan();
        }
    }

    @Test
    void rescanAskingForARetryRunsAgainWithoutAnyChange() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (ConnectorWatcher ignored = watcher(() -> runs.incrementAndGet() < 3)) {
            long first = nextRescan();
            long second = nextRescan();
            long third = nextRescan();

            assertTrue(second - first >= QUIET.toNanos() && third - second >= QUIET.toNanos(), "retried sooner than the quiet period");
            assertEquals(3, runs.get());
        }
    }

    @Test
    void failingRescanDoesNotStopTheWatcher() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (ConnectorWatcher ignored = watcher(() -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("broken on purpose");
            }
            return false;
        })) {
            nextRescan();
            Files.write(dir.resolve("probe.jar"), new byte[] {1});

            nextRescan();
            assertEquals(2, runs.get());
        }
    }

    /** The registry behind a real watcher: a jar copied into the folder is swapped in by itself. */
    @Test
    void watchedRegistrySwapsWithoutBeingAsked(@TempDir Path work) throws Exception {
        ConnectorJars jars = new ConnectorJars(work);
        Path jar = jars.identity(dir.resolve("probe.jar"), "probe", "v1");
        try (ConnectorRegistry registry = ConnectorRegistryTest.registry(dir, "probe", Map.of())) {
            registry.watch(QUIET);
            Files.copy(jars.identity(work.resolve("probe.jar"), "probe", "v2"), jar,
                    StandardCopyOption.REPLACE_EXISTING);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            List<String> seen = new ArrayList<>();
            String name = registry.identity().authenticate("carol").displayName();
            while (!name.equals("v2") && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // poll interval
                name = registry.identity().authenticate("carol").displayName();
                seen.add(name);
            }
            assertEquals("v2", name, "never swapped; saw " + seen.stream().distinct().toList());
        }
    }
}
