package dev.passerelle.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A real Kamailio (Debian package {@code kamailio}) on 127.0.0.1, UDP and TCP on one free port: a
 * digest-authenticating registrar with an in-memory location table and a record-routing proxy,
 * from a configuration template whose placeholders {@code @PORT@}, {@code @DOMAIN@},
 * {@code @ALGORITHM@} and {@code @USERS@} are filled in here. It logs one line starting
 * {@code KAM } for each REGISTER and INVITE it sees ({@code au=[...]} is the Authorization header,
 * {@code pau=[...]} Proxy-Authorization, {@code route=[...]} the Route); {@link #log()} holds
 * every line of its stderr. {@link #close} stops it.
 */
public final class Kamailio implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/kamailio");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final int port;
    private final String domain;
    private final EventLog<String> log = new EventLog<>();

    private Kamailio(Process process, int port, String domain) {
        this.process = process;
        this.port = port;
        this.domain = domain;
    }

    /**
     * Starts Kamailio with the configuration template {@code template} (text), its run files in
     * {@code workDir}, serving {@code domain} and challenging with {@code algorithm} ({@code MD5}
     * or {@code SHA-256}) for the users and passwords of {@code passwords}. Returns once it listens.
     *
     * @throws IllegalStateException if the binary is missing (naming the Debian package to
     *     install), or Kamailio exits or does not listen within 15 s (with its log)
     */
    public static Kamailio start(String template, Path workDir, String domain, String algorithm,
            Map<String, String> passwords) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("kamailio not found: install the Debian package kamailio"
                    + " (.ci/install-peers does it)");
        }
        int port = freePort();
        String users = passwords.entrySet().stream()
                .map(e -> "    $sht(pw=>" + e.getKey() + ") = \"" + e.getValue() + "\";")
                .collect(Collectors.joining("\n"));
        Path cfg = workDir.resolve("kamailio-" + port + ".cfg");
        Files.writeString(cfg, template.replace("@PORT@", String.valueOf(port)).replace("@DOMAIN@", domain)
                .replace("@ALGORITHM@", algorithm).replace("@USERS@", users));
        Process process = new ProcessBuilder(List.of(BINARY.toString(), "-f", cfg.toString(), "-DD", "-E",
                "-m", "64", "-M", "8", "-Y", workDir.toString(),
                "-P", workDir.resolve("kamailio-" + port + ".pid").toString(), "-w", workDir.toString()))
                .redirectErrorStream(true)
                .start();
        Kamailio kamailio = new Kamailio(process, port, domain);
        Thread reader = new Thread(kamailio::readLog, "kamailio-log-" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            kamailio.log.await(l -> l.contains("tcp: 127.0.0.1"), START_TIMEOUT, "Kamailio listening on " + port);
            kamailio.awaitPort();
        } catch (RuntimeException e) {
            kamailio.close();
            throw new IllegalStateException("Kamailio did not start: " + e.getMessage() + "\n" + kamailio.logText(), e);
        }
        return kamailio;
    }

    private void readLog() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                log.add(line);
            }
        } catch (IOException e) {
            log.add("(log closed: " + e.getMessage() + ")");
        }
    }

    /** Kamailio prints its listening sockets before its children bind them: wait for the TCP one. */
    private void awaitPort() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("kamailio exited with " + process.exitValue());
            }
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
        }
        throw new IllegalStateException("port " + port + " not open within " + START_TIMEOUT.toSeconds() + " s");
    }

    public int port() {
        return port;
    }

    /** The domain it is the registrar of (an alias of its own address). */
    public String domain() {
        return domain;
    }

    /** Its address as a loose-routing SIP URI, e.g. for {@code sip.outboundProxy}. */
    public String uri() {
        return "sip:127.0.0.1:" + port + ";lr";
    }

    /** Its address as a plain SIP URI, e.g. for {@code sip.registrar}. */
    public String registrarUri() {
        return "sip:127.0.0.1:" + port;
    }

    /** Its stderr, line by line. */
    public EventLog<String> log() {
        return log;
    }

    /** Waits for a {@code KAM} line matching {@code match}, consuming it; fails with the whole log. */
    public String await(Predicate<String> match, Duration timeout, String what) {
        Optional<String> line = log.poll(l -> l.contains("KAM ") && match.test(l), timeout);
        return line.orElseThrow(() -> new AssertionError("Kamailio never logged " + what + " within " + timeout
                + ":\n" + logText()));
    }

    /** Every line logged so far, for failure messages. */
    public String logText() {
        return String.join("\n", log.all());
    }

    @Override
    public void close() {
        Processes.stop(process);
    }

    private static int freePort() throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 50, lo)) {
                int candidate = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, candidate))) {
                    return candidate;
                } catch (IOException busy) {
                    // Taken for UDP: try another.
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP on 127.0.0.1");
    }
}
