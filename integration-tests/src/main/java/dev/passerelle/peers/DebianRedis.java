package dev.passerelle.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's redis-server (package {@code redis-server}, Redis 7) on a free loopback port, with no
 * persistence, for the interop profile: the store tests that otherwise run on embedded-redis's
 * 6.2 binary run on the Redis an operator installs too.
 */
public final class DebianRedis implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/redis-server");
    private static final Duration START_WAIT = Duration.ofSeconds(15);

    private final Process process;
    private final int port;

    private DebianRedis(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * @throws IllegalStateException naming the Debian package when the binary is missing, or with
     *     its log when it does not accept connections within 15 s
     */
    public static DebianRedis start(Path workDir) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("redis-server not found: install the Debian package redis-server"
                    + " (.ci/install-peers does it)");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = workDir.resolve("redis-" + port + ".log");
        Process process = new ProcessBuilder(List.of(BINARY.toString(), "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workDir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        DebianRedis redis = new DebianRedis(process, port);
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (!redis.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                redis.close();
                throw new IllegalStateException("redis-server did not start on port " + port + ":\n"
                        + Files.readString(log));
            }
            // Polls every 50 ms, and at once if the process dies.
            process.onExit().completeOnTimeout(null, 50, TimeUnit.MILLISECONDS).join();
        }
        return redis;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    private boolean accepts() {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[7];
            return s.getInputStream().readNBytes(reply, 0, 7) == 7 && new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
