package dev.passerelle.peers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.InitialDirContext;

/**
 * Debian's dnsmasq (package {@code dnsmasq-base}, which has the binary without the system
 * service) as a DNS server on a free loopback UDP port, answering only the records it is given
 * (NAPTR, SRV, A) and nothing else: no upstream servers, no hosts file, no configuration file.
 */
public final class Dnsmasq implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/dnsmasq");
    private static final Duration START_WAIT = Duration.ofSeconds(15);

    private final Process process;
    private final int port;
    private final Path log;

    private Dnsmasq(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * @param domain the zone dnsmasq answers for alone (names under it that it has no record
     *     for are NXDOMAIN, never forwarded)
     * @param records dnsmasq record options, e.g. {@code --srv-host=_sip._udp.proxy.test,p1.proxy.test,5070,10,0}
     * @param probeName a name among the records with an A record: dnsmasq is ready once it answers it
     * @throws IllegalStateException naming the Debian package when the binary is missing, or with
     *     its log when it does not answer within 15 s
     */
    public static Dnsmasq start(Path workDir, String domain, List<String> records, String probeName)
            throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("dnsmasq not found: install the Debian package dnsmasq-base"
                    + " (.ci/install-peers does it)");
        }
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = probe.getLocalPort();
        }
        Path log = workDir.resolve("dnsmasq-" + port + ".log");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--keep-in-foreground",
                "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces",
                "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll", "--pid-file=",
                "--local=/" + domain + "/", "--log-facility=-", "--log-queries"));
        command.addAll(records);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Dnsmasq dnsmasq = new Dnsmasq(process, port, log);
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (!dnsmasq.answers(probeName)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                dnsmasq.close();
                throw new IllegalStateException("dnsmasq did not answer on port " + port + ":\n" + Files.readString(log));
            }
        }
        return dnsmasq;
    }

    /** {@code 127.0.0.1:port}, the form of {@code sip.dns.servers}. */
    public String server() {
        return "127.0.0.1:" + port;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    private boolean answers(String name) {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, "dns://" + server());
        env.put("com.sun.jndi.dns.timeout.initial", "200");
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        try {
            InitialDirContext context = new InitialDirContext(env);
            try {
                return context.getAttributes(name, new String[] {"A"}).get("A") != null;
            } finally {
                context.close();
            }
        } catch (NamingException e) {
            return false;
        }
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
