package dev.passerelle.peers;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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
 * <p>{@link #command} sends a raw ng command, so that a test can ask rtpengine itself, not only
 * through the code under test, what it holds.
 */
public final class Rtpengine implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/rtpengine");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final int MEDIA_PORTS = 200;

    private final Process process;
    private final InetSocketAddress ng;
    private final Path log;

    private Rtpengine(Process process, InetSocketAddress ng, Path log) {
        this.process = process;
        this.ng = ng;
        this.log = log;
    }

    /**
     * Starts a daemon whose pid file and log live in {@code workDir}.
     *
     * @throws IllegalStateException if the binary is missing (naming the Debian package to
     *     install), or the daemon exits or does not answer {@code ping} within 15 s (with its log)
     */
    public static Rtpengine start(Path workDir) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("rtpengine not found: install the Debian package rtpengine-daemon"
                    + " (.ci/install-peers does it)");
        }
        int ngPort = freeUdpPort();
        // Below Linux's ephemeral ports (32768-60999), so that the media ports seldom meet a busy one;
        // rtpengine passes over those that are.
        int portMin = ThreadLocalRandom.current().nextInt(20_000, 32_000 - MEDIA_PORTS) & ~1;
        Path log = workDir.resolve("rtpengine-" + ngPort + ".log");
        Process process = new ProcessBuilder(List.of(BINARY.toString(),
                "--config-file=none", "--foreground", "--log-stderr", "--table=-1",
                "--interface=127.0.0.1", "--listen-ng=127.0.0.1:" + ngPort,
                "--port-min=" + portMin, "--port-max=" + (portMin + MEDIA_PORTS - 1),
                "--pidfile=" + workDir.resolve("rtpengine-" + ngPort + ".pid")))
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

    /**
     * Sends one ng command, a bencoded dictionary as text (e.g. {@code d7:command4:pinge}), and
     * returns the bencoded reply as text, or null if none came within {@code timeout}.
     */
    public String command(String bencodedDictionary, Duration timeout) throws IOException {
        String cookie = Long.toHexString(ThreadLocalRandom.current().nextLong());
        byte[] request = (cookie + " " + bencodedDictionary).getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.connect(ng);
            socket.send(new DatagramPacket(request, request.length));
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buffer = new byte[65_536];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(reply);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
                if (text.startsWith(cookie + " ")) {
                    return text.substring(cookie.length() + 1);
                }
            }
        }
    }

    /** A {@code query} of {@code callId} straight to the daemon; the raw bencoded reply. */
    public String query(String callId) throws IOException {
        return command("d7:call-id" + callId.getBytes(StandardCharsets.UTF_8).length + ":" + callId
                + "7:command5:querye", Duration.ofSeconds(2));
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
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
