package dev.passerelle.peers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real rtpengine daemon (Debian package {@code rtpengine-daemon}) on 127.0.0.1, in userspace
 * mode, its ng control port on a free UDP port and its media ports in a random range, so that
 * several can run side by side. {@link #start} returns once it answers {@code ping} with
 * {@code pong}; {@link #close} stops it.
 *
 * <p>{@link #control} sends raw ng commands, so that a test can ask rtpengine itself, not only
 * through the code under test, what it holds.
 */
public final class Rtpengine implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/rtpengine");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final int MEDIA_PORTS = 200;
    private static final int PORTS_FLOOR = 20_000;
    private static final int PORTS_CEILING = 32_000;
    /** Half the room below the ephemeral ports, so that the random start still varies. */
    private static final int MAX_MEDIA_PORTS = (PORTS_CEILING - PORTS_FLOOR) / 2;

    private final Process process;
    private final InetSocketAddress ng;
    private final NgControl control;
    private final Path log;

    private Rtpengine(Process process, InetSocketAddress ng, Path log) {
        this.process = process;
        this.ng = ng;
        this.control = new NgControl(ng);
        this.log = log;
    }

    /** {@link #start(Path, int)} with 200 media ports, enough for the tests' few calls at a time. */
    public static Rtpengine start(Path workDir) throws IOException, InterruptedException {
        return start(workDir, MEDIA_PORTS);
    }

    /**
     * Starts a daemon whose pid file and log live in {@code workDir}, with {@code mediaPorts}
     * media ports (an even number from 2 to 6000). A call through the gateway takes four of them
     * while it lives (an RTP and RTCP pair per leg).
     *
     * @throws IllegalArgumentException if {@code mediaPorts} is out of range
     * @throws IllegalStateException if the binary is missing (naming the Debian package to
     *     install), or the daemon exits or does not answer {@code ping} within 15 s (with its log)
     */
    public static Rtpengine start(Path workDir, int mediaPorts) throws IOException, InterruptedException {
        return start(workDir, mediaPorts, List.of());
    }

    /** {@link #start(Path, int)} with 200 media ports and {@code options} added to the command line. */
    public static Rtpengine start(Path workDir, List<String> options) throws IOException, InterruptedException {
        return start(workDir, MEDIA_PORTS, options);
    }

    private static Rtpengine start(Path workDir, int mediaPorts, List<String> options)
            throws IOException, InterruptedException {
        if (mediaPorts < 2 || mediaPorts > MAX_MEDIA_PORTS || mediaPorts % 2 != 0) {
            throw new IllegalArgumentException("media ports must be an even number from 2 to " + MAX_MEDIA_PORTS
                    + ": " + mediaPorts);
        }
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("rtpengine not found: install the Debian package rtpengine-daemon"
                    + " (.ci/install-peers does it)");
        }
        int ngPort = freeUdpPort();
        // Below Linux's ephemeral ports (32768-60999), so that the media ports seldom meet a busy one;
        // rtpengine passes over those that are.
        int portMin = ThreadLocalRandom.current().nextInt(PORTS_FLOOR, PORTS_CEILING - mediaPorts) & ~1;
        Path log = workDir.resolve("rtpengine-" + ngPort + ".log");
        List<String> command = new java.util.ArrayList<>(List.of(BINARY.toString(),
                "--config-file=none", "--foreground", "--log-stderr", "--table=-1",
                "--interface=127.0.0.1", "--listen-ng=127.0.0.1:" + ngPort,
                "--port-min=" + portMin, "--port-max=" + (portMin + mediaPorts - 1),
                "--pidfile=" + workDir.resolve("rtpengine-" + ngPort + ".pid")));
        command.addAll(options);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Rtpengine rtpengine = new Rtpengine(process, new InetSocketAddress(InetAddress.getLoopbackAddress(), ngPort), log);
        try {
            rtpengine.awaitPong();
        } catch (IOException | RuntimeException | InterruptedException e) {
            rtpengine.close();
            throw e;
        }
        return rtpengine;
    }

    /** The ng address as the gateway's configuration writes it: {@code udp:127.0.0.1:<port>}. */
    public String ngUri() {
        return "udp:127.0.0.1:" + ng.getPort();
    }

    public InetSocketAddress ngAddress() {
        return ng;
    }

    /** Raw ng commands to this daemon. */
    public NgControl control() {
        return control;
    }

    /** {@link NgControl#command} to this daemon. */
    public String command(String bencodedDictionary, Duration timeout) throws IOException {
        return control.command(bencodedDictionary, timeout);
    }

    /** {@link NgControl#query} to this daemon. */
    public String query(String callId) throws IOException {
        return control.query(callId);
    }

    /** Everything the daemon logged so far, for failure messages. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void awaitPong() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rtpengine exited with " + process.exitValue() + ":\n" + log());
            }
            // The daemon binds its ng port late in its start: until then a ping finds nobody.
            String reply;
            try {
                reply = command("d7:command4:pinge", Duration.ofMillis(200));
            } catch (PortUnreachableException e) {
                process.waitFor(100, TimeUnit.MILLISECONDS);
                continue;
            }
            if ("d6:result4:ponge".equals(reply)) {
                return;
            }
        }
        throw new IllegalStateException("rtpengine did not answer ping within " + START_TIMEOUT.toSeconds()
                + " s:\n" + log());
    }

    @Override
    public void close() {
        Processes.stop(process);
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
