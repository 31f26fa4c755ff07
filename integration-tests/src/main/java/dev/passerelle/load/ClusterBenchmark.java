package dev.passerelle.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.Gateway;
import dev.passerelle.gateway.config.ConfigLoader;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.WsClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Web-to-web calls across the nodes of a cluster on one Redis: callers' sessions on the first node,
 * callees' on the last (with {@code --nodes 1}, the same node). Each call is {@code call.invite}
 * → {@code call.incoming} at the callee → {@code call.answer} (run by the call's owner, the
 * caller's node) → {@code call.accepted} at the caller → {@code call.hangup} → {@code call.ended}
 * at both. With two nodes every one of these events and the answer cross the bus; with one they do
 * not, so the difference between the two runs is the cost of the bus.
 */
@Command(name = "passerelle-cluster-bench", mixinStandardHelpOptions = true,
        description = "Web-to-web calls across Passerelle nodes sharing one Redis; reports rate, latency and events/s.")
public final class ClusterBenchmark implements Callable<Integer> {

    @Option(names = "--redis", required = true, description = "Redis URI the nodes share, e.g. redis://127.0.0.1:6379")
    private String redis;

    @Option(names = "--nodes", defaultValue = "2", description = "gateway nodes started in this JVM, 1 or 2 (default ${DEFAULT-VALUE})")
    private int nodes;

    @Option(names = "--pairs", defaultValue = "20", description = "caller/callee session pairs, each its own two users (default ${DEFAULT-VALUE})")
    private int pairs;

    @Option(names = "--calls", defaultValue = "2000", description = "calls to set up and hang up (default ${DEFAULT-VALUE})")
    private int calls;

    @Option(names = "--timeout", defaultValue = "10", description = "seconds to wait for each step (default ${DEFAULT-VALUE})")
    private int timeoutSeconds;

    private final AtomicInteger next = new AtomicInteger();
    private final Failures failures = new Failures();
    private final ConcurrentLinkedQueue<Long> ringNanos = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> setupNanos = new ConcurrentLinkedQueue<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 2 || pairs < 1 || calls < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--nodes 1 or 2, --pairs and --calls at least 1");
        }
        String prefix = "bench-" + UUID.randomUUID() + ":";
        List<Gateway> gateways = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        List<WsClient> callers = new ArrayList<>();
        List<WsClient> callees = new ArrayList<>();
        try {
            for (int n = 0; n < nodes; n++) {
                Path dir = Files.createTempDirectory("passerelle-bench");
                dirs.add(dir);
                Gateway g = new Gateway(new ConfigLoader(Map.of()).fromYaml(config("bench-node-" + n, prefix, dir)));
                g.start();
                gateways.add(g);
            }
            URI first = URI.create("ws://127.0.0.1:" + gateways.get(0).webSocketPort() + "/ws");
            URI last = URI.create("ws://127.0.0.1:" + gateways.get(nodes - 1).webSocketPort() + "/ws");
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            for (int i = 0; i < pairs; i++) {
                WsClient caller = WsClient.connect(first, timeout);
                caller.login("caller" + i + "-token");
                callers.add(caller);
                WsClient callee = WsClient.connect(last, timeout);
                callee.login("callee" + i + "-token");
                callees.add(callee);
            }
            System.out.printf("%d node(s) on %s; %d pairs, callers on %s, callees on %s; %d calls, concurrency %d%n",
                    nodes, redis, pairs, first, last, calls, pairs);
            long begin = System.nanoTime();
            ExecutorService workers = Executors.newFixedThreadPool(pairs);
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                int pair = i;
                running.add(workers.submit(() -> {
                    while (next.getAndIncrement() < calls) {
                        oneCall(callers.get(pair), "callee" + pair, callees.get(pair), timeout);
                    }
                }));
            }
            workers.shutdown();
            for (Future<?> f : running) {
                f.get();
            }
            long elapsed = System.nanoTime() - begin;
            long events = 0;
            for (WsClient c : callers) {
                events += c.events().stream().filter(e -> e.has("method")).count();
            }
            for (WsClient c : callees) {
                events += c.events().stream().filter(e -> e.has("method")).count();
            }
            report(elapsed, events);
        } finally {
            callers.forEach(WsClient::close);
            callees.forEach(WsClient::close);
            gateways.forEach(Gateway::close);
            for (Path dir : dirs) {
                Files.deleteIfExists(dir);
            }
        }
        return failures.count() == 0 ? 0 : 1;
    }

    private void oneCall(WsClient caller, String calleeName, WsClient callee, Duration timeout) {
        try {
            long t0 = System.nanoTime();
            RpcReply invite = caller.call("call.invite",
                    WsClient.params().put("to", calleeName).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), timeout);
            if (invite.isError()) {
                failures.add("call.invite refused: " + invite.error());
                return;
            }
            String callId = invite.result().path("callId").asText();
            Optional<JsonNode> incoming = callee.eventLog().poll(m -> isEvent(m, "call.incoming", callId), timeout);
            if (incoming.isEmpty()) {
                failures.add("no call.incoming for " + callId);
                return;
            }
            ringNanos.add(System.nanoTime() - t0);
            RpcReply answer = callee.call("call.answer", WsClient.params().put("callId", callId).put("sdp",
                    Sdp.answer(incoming.get().path("params").path("sdp").asText(), 50_000, Sdp.newUfrag())), timeout);
            if (answer.isError()) {
                failures.add("call.answer refused: " + answer.error());
                return;
            }
            if (caller.eventLog().poll(m -> isEvent(m, "call.accepted", callId), timeout).isEmpty()) {
                failures.add("no call.accepted for " + callId);
                return;
            }
            setupNanos.add(System.nanoTime() - t0);
            RpcReply hangup = caller.call("call.hangup", WsClient.params().put("callId", callId), timeout);
            if (hangup.isError()
                    || caller.eventLog().poll(m -> isEvent(m, "call.ended", callId), timeout).isEmpty()
                    || callee.eventLog().poll(m -> isEvent(m, "call.ended", callId), timeout).isEmpty()) {
                failures.add("hangup of " + callId + " incomplete");
            }
        } catch (RuntimeException | AssertionError e) {
            failures.add(e.toString());
        }
    }

    private static boolean isEvent(JsonNode m, String method, String callId) {
        return method.equals(m.path("method").asText()) && callId.equals(m.path("params").path("callId").asText());
    }

    private void report(long elapsedNanos, long events) {
        double seconds = elapsedNanos / 1e9;
        System.out.printf(Locale.ROOT, "calls: %d set up and hung up, %d failed, in %.1f s%n", setupNanos.size(), failures.count(), seconds);
        System.out.printf(Locale.ROOT, "call setups per second: %.1f; events delivered per second: %.1f (%d events)%n",
                setupNanos.size() / seconds, events / seconds, events);
        System.out.printf(Locale.ROOT, "call.invite sent -> call.incoming at the callee: %s%n", percentiles(ringNanos));
        System.out.printf(Locale.ROOT, "call.invite sent -> call.accepted at the caller: %s%n", percentiles(setupNanos));
        failures.printSamples();
    }

    private static String percentiles(ConcurrentLinkedQueue<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        if (sorted.isEmpty()) {
            return "none";
        }
        sorted.sort(null);
        return String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms, max %.2f ms", Percentiles.millis(sorted, 50), Percentiles.millis(sorted, 99),
                sorted.get(sorted.size() - 1) / 1e6);
    }

    private String config(String nodeId, String prefix, Path connectorsDir) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (int i = 0; i < pairs; i++) {
            tokens.put("caller" + i, "caller" + i + "-token");
            tokens.put("callee" + i, "callee" + i + "-token");
        }
        return BenchConfig.yaml(tokens, connectorsDir, """
                node:
                  id: %s
                store:
                  type: redis
                  redis:
                    uri: "%s"
                    prefix: "%s"
                """.formatted(nodeId, redis, prefix));
    }
}
