package dev.passerelle.peers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's coturn ({@code turnserver}, package {@code coturn}) on a free loopback UDP port, with
 * the TURN REST API's shared secret ({@code use-auth-secret}): it accepts the time-limited
 * credentials the gateway hands out at login and refuses expired or forged ones.
 */
public final class Coturn implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/turnserver");
    private static final Duration START_WAIT = Duration.ofSeconds(15);

    private final Process process;
    private final int port;
    private final Path log;

    private Coturn(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * @throws IllegalStateException naming the Debian package when the binary is missing, or with
     *     its log when it does not answer a STUN Binding within 15 s
     */
    public static Coturn start(Path workDir, String secret, String realm) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("turnserver not found: install the Debian package coturn"
                    + " (.ci/install-peers does it)");
        }
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = probe.getLocalPort();
        }
        Path log = workDir.resolve("coturn-" + port + ".log");
        Process process = new ProcessBuilder(List.of(BINARY.toString(), "-n",
                "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=" + port,
                // A small relay range next to the listening port: enough for one test's allocations.
                "--min-port=" + (port + 1), "--max-port=" + (port + 40),
                "--no-tls", "--no-dtls", "--no-cli", "--no-tcp-relay", "--allow-loopback-peers",
                "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=" + realm,
                "--pidfile=" + workDir.resolve("coturn-" + port + ".pid"),
                "--log-file=stdout", "--simple-log"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Coturn coturn = new Coturn(process, port, log);
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        try (TurnClient probe = new TurnClient(coturn.address(), Duration.ofMillis(200))) {
            while (!probe.answersBinding()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    coturn.close();
                    throw new IllegalStateException("turnserver did not answer on port " + port + ":\n"
                            + Files.readString(log));
                }
            }
        }
        return coturn;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** The {@code turn:} URL a browser is given: {@code turn:127.0.0.1:<port>?transport=udp}. */
    public String url() {
        return "turn:127.0.0.1:" + port + "?transport=udp";
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
