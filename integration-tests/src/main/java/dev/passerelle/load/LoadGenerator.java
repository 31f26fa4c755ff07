package dev.passerelle.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.gateway.Gateway;
import dev.passerelle.gateway.config.ConfigLoader;
import dev.passerelle.gateway.media.rtpengine.RtpengineSettings;
import dev.passerelle.peers.NgControl;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Rtpengine;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Call setups per second through a gateway: browser sessions call a SIP phone that answers at
 * once, then hang up. Latency is from sending {@code call.invite} to receiving
 * {@code call.accepted}. Without {@code --ws} it starts a gateway in this JVM on free ports.
 *
 * <p>With {@code --rtpengine} or {@code --rtpengine-ng} the media of every call is anchored in
 * rtpengine, and the run fails if rtpengine still holds any of its calls once they all ended: the
 * gateway deletes a call in rtpengine before it tells the browser the call ended.
 */
@Command(name = "passerelle-load", mixinStandardHelpOptions = true,
        description = "Drives browser-to-SIP call setups through a Passerelle gateway and reports rate and latency.")
public final class LoadGenerator implements Callable<Integer> {

    @Option(names = "--ws", description = "WebSocket URL of a running gateway, e.g. ws://127.0.0.1:8080/ws; "
            + "without it a gateway is started in this JVM")
    private URI ws;

    @Option(names = "--sessions", defaultValue = "20", description = "WebSocket sessions to open (default ${DEFAULT-VALUE})")
    private int sessions;

    @Option(names = "--tokens", split = ",", defaultValue = "alice-token,bob-token",
            description = "login tokens, used round-robin over the sessions (default ${DEFAULT-VALUE})")
    private List<String> tokens;

    @Option(names = "--calls", defaultValue = "500", description = "call setups to attempt; 0 = until --duration ends (default ${DEFAULT-VALUE})")
    private int calls;

    @Option(names = "--concurrency", defaultValue = "10", description = "calls in progress at once (default ${DEFAULT-VALUE})")
    private int concurrency;

    @Option(names = "--duration", defaultValue = "45", description = "stop starting calls after this many seconds (default ${DEFAULT-VALUE})")
    private int durationSeconds;

    @Option(names = "--timeout", defaultValue = "10", description = "seconds to wait for each step of a call (default ${DEFAULT-VALUE})")
    private int timeoutSeconds;

    @Option(names = "--rtpengine", description = "start a real rtpengine (Debian package rtpengine-daemon) "
            + "and anchor the media of the gateway started in this JVM in it")
    private boolean startRtpengine;

    @Option(names = "--rtpengine-ng", paramLabel = "udp:HOST:PORT", description = "anchor the media of the gateway "
            + "started in this JVM in the rtpengine already running at this ng address; with --ws, only check "
            + "at the end that it holds none of this run's calls")
    private String rtpengineNg;

    /** Most calls a {@code list} reply names; far more than a clean run leaves (none). */
    private static final int LIST_LIMIT = 1000;

    private final ConcurrentLinkedQueue<String> callIds = new ConcurrentLinkedQueue<>();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger succeeded = new AtomicInteger();
    private final Failures failures = new Failures();
    private final ConcurrentLinkedQueue<Long> setupNanos = new ConcurrentLinkedQueue<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (sessions < 1 || concurrency < 1 || durationSeconds < 1 || (calls < 0)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--sessions, --concurrency and --duration must be at least 1, --calls at least 0");
        }
        if (startRtpengine && (rtpengineNg != null || ws != null)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--rtpengine starts rtpengine for the gateway in this JVM: not with --rtpengine-ng or --ws");
        }
        NgControl ng = null;
        if (rtpengineNg != null) {
            // Read by the rtpengine connector's own rules for media.rtpengine.ng.
            try {
                ng = new NgControl(RtpengineSettings.from(new ConnectorContext("media.rtpengine",
                        Map.of("ng", rtpengineNg), "localhost")).ng().get(0));
            } catch (ConnectorException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--rtpengine-ng: " + e.getMessage());
            }
        }
        Gateway local = null;
        Path connectorsDir = null;
        Path rtpengineDir = null;
        Rtpengine rtpengine = null;
        URI target = ws;
        List<WsClient> clients = new ArrayList<>();
        boolean clean = false;
        try {
            if (startRtpengine) {
                rtpengineDir = Files.createTempDirectory("passerelle-load-rtpengine");
                rtpengine = Rtpengine.start(rtpengineDir, mediaPorts());
                ng = rtpengine.control();
                System.out.printf("started rtpengine: ng %s, %d media ports, log in %s%n", ng, mediaPorts(), rtpengineDir);
            }
            if (target == null) {
                connectorsDir = Files.createTempDirectory("passerelle-load");
                local = new Gateway(new ConfigLoader(Map.of()).fromYaml(localConfig(connectorsDir, ng)));
                local.start();
                target = URI.create("ws://127.0.0.1:" + local.webSocketPort() + "/ws");
                System.out.printf("started a gateway in this JVM: ws=%d sip=%d, media anchor %s%n", local.webSocketPort(),
                        local.sipPort(), ng == null ? "passthrough" : "rtpengine " + ng);
            }
            boolean allSucceeded = callsWithPhone(target, clients);
            // Checked before the gateway closes: closing deletes whatever calls it still holds.
            clean = (ng == null || noneHeld(ng, rtpengine != null)) && allSucceeded;
        } finally {
            clients.forEach(WsClient::close);
            if (local != null) {
                local.close();
            }
            if (connectorsDir != null) {
                deleteQuietly(connectorsDir);
            }
            if (rtpengine != null) {
                rtpengine.close();
                if (clean) {
                    deleteQuietly(rtpengineDir);
                } else {
                    System.out.println("rtpengine's log is kept in " + rtpengineDir);
                }
            }
        }
        return clean ? 0 : 1;
    }

    /** Opens the sessions and runs the calls; whether there were calls and all succeeded. */
    private boolean callsWithPhone(URI target, List<WsClient> clients) throws Exception {
        try (SipPhone phone = SipPhone.start()) {
            for (int i = 0; i < sessions; i++) {
                WsClient client = WsClient.connect(target, Duration.ofSeconds(timeoutSeconds));
                clients.add(client);
                client.login(tokens.get(i % tokens.size()));
            }
            System.out.printf("%d sessions on %s, phone %s; %s calls, concurrency %d, at most %d s%n",
                    sessions, target, phone.uri(), calls == 0 ? "unlimited" : String.valueOf(calls), concurrency, durationSeconds);
            run(clients, phone);
        }
        return failures.count() == 0 && succeeded.get() > 0;
    }

    /**
     * Media ports for a started rtpengine: four per live call (an RTP and RTCP pair per leg), twice
     * over for ports the system holds busy, and never fewer than the tests' 200.
     */
    private int mediaPorts() {
        return Math.min(6000, Math.max(200, 8 * concurrency));
    }

    /**
     * Whether rtpengine holds none of this run's calls, all of which have ended. A daemon started
     * here holds only this run's calls, so its whole {@code list} counts, including calls whose
     * {@code call.invite} failed; a daemon running already is asked about each call id.
     */
    private boolean noneHeld(NgControl ng, boolean ownDaemon) throws IOException {
        List<String> held = new ArrayList<>();
        String how;
        if (ownDaemon) {
            held.addAll(ng.list(LIST_LIMIT));
            how = "ng list";
        } else {
            for (String callId : callIds) {
                String reply = ng.query(callId);
                if (reply == null) {
                    throw new IOException("rtpengine " + ng + " did not reply to a query of " + callId + " within 2 s");
                }
                if (reply.contains("6:result2:ok")) {
                    held.add(callId);
                }
            }
            how = "ng query of the " + callIds.size() + " call ids";
        }
        System.out.printf("calls rtpengine still holds (%s): %s%d%n", how, held.size() == LIST_LIMIT ? "at least " : "",
                held.size());
        held.stream().limit(5).forEach(id -> System.out.println("held by rtpengine: " + id));
        return held.isEmpty();
    }

    private void run(List<WsClient> clients, SipPhone phone) throws InterruptedException {
        long begin = System.nanoTime();
        long stopAt = begin + TimeUnit.SECONDS.toNanos(durationSeconds);
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            running.add(workers.submit(() -> {
                while (System.nanoTime() < stopAt) {
                    int n = started.getAndIncrement();
                    if (calls > 0 && n >= calls) {
                        return;
                    }
                    oneCall(clients.get(n % clients.size()), phone);
                }
            }));
        }
        workers.shutdown();
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add("worker died: " + e.getCause());
            }
        }
        report(System.nanoTime() - begin);
    }

    /** invite → accepted → hangup → ended; counts the outcome. */
    private void oneCall(WsClient client, SipPhone phone) {
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        long t0 = System.nanoTime();
        try {
            RpcReply invite = client.call("call.invite",
                    WsClient.params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), timeout);
            if (invite.isError()) {
                failures.add("call.invite refused: " + invite.error());
                return;
            }
            String callId = invite.result().path("callId").asText();
            callIds.add(callId);
            Optional<JsonNode> outcome = client.eventLog().poll(m -> callId.equals(m.path("params").path("callId").asText())
                    && (m.path("method").asText().equals("call.accepted") || m.path("method").asText().equals("call.ended")), timeout);
            if (outcome.isEmpty()) {
                failures.add("no call.accepted within " + timeoutSeconds + " s for " + callId);
                return;
            }
            if (outcome.get().path("method").asText().equals("call.ended")) {
                failures.add("call ended before it was accepted: " + outcome.get().path("params"));
                return;
            }
            setupNanos.add(System.nanoTime() - t0);
            RpcReply hangup = client.call("call.hangup", WsClient.params().put("callId", callId), timeout);
            if (hangup.isError()) {
                failures.add("call.hangup refused: " + hangup.error());
                return;
            }
            // Waiting for the end keeps the number of live calls at --concurrency.
            if (client.eventLog().poll(m -> callId.equals(m.path("params").path("callId").asText())
                    && m.path("method").asText().equals("call.ended"), timeout).isEmpty()) {
                failures.add("no call.ended within " + timeoutSeconds + " s for " + callId);
                return;
            }
            succeeded.incrementAndGet();
        } catch (RuntimeException | AssertionError e) {
            failures.add(e.toString());
        }
    }

    private void report(long elapsedNanos) {
        List<Long> sorted = new ArrayList<>(setupNanos);
        sorted.sort(null);
        double seconds = elapsedNanos / 1e9;
        System.out.printf(Locale.ROOT, "calls: %d set up and hung up, %d failed, in %.1f s%n", succeeded.get(), failures.count(), seconds);
        System.out.printf(Locale.ROOT, "call setups per second: %.1f%n", sorted.size() / seconds);
        if (!sorted.isEmpty()) {
            System.out.printf(Locale.ROOT, "setup latency (call.invite sent -> call.accepted received): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    Percentiles.millis(sorted, 50), Percentiles.millis(sorted, 99), sorted.get(sorted.size() - 1) / 1e6);
        }
        failures.printSamples();
    }

    private String localConfig(Path connectorsDir, NgControl ng) {
        Map<String, String> users = new LinkedHashMap<>();
        for (String token : tokens) {
            users.put(token.endsWith("-token") ? token.substring(0, token.length() - "-token".length()) : token, token);
        }
        return BenchConfig.yaml(users, connectorsDir, ng == null ? "" : """
                media:
                  anchor: rtpengine
                  rtpengine:
                    ng: ["%s"]
                """.formatted(ng));
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
