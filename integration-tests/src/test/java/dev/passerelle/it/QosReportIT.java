package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.passerelle.gateway.session.CallQuality;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.redis.RedisSessionStore;
import dev.passerelle.gateway.session.redis.RedisStoreSettings;
import dev.passerelle.gateway.session.redis.TestRedis;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.WsClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code qos.report} through a whole gateway on Redis: each user's report reaches the QoS server
 * (a real HTTP server in the test) stamped with the user and the call, the call's record keeps each
 * user's latest snapshot, bad reports and reports about other people's calls are refused, and a
 * QoS server that does not answer never delays the reply.
 */
class QosReportIT {

    private TestRedis redis;
    private HttpServer qosServer;
    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private volatile CountDownLatch stall = new CountDownLatch(0);
    private final String prefix = "it-qos-" + UUID.randomUUID() + ":";
    private GatewayHarness gateway;
    private RedisSessionStore store;

    @BeforeEach
    void start() throws IOException {
        redis = TestRedis.fromEnvironmentOrEmbedded();
        qosServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        qosServer.createContext("/reports", exchange -> {
            try {
                stall.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (JsonNode report : WsClient.json().readTree(exchange.getRequestBody().readAllBytes()).path("reports")) {
                received.add(report);
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        qosServer.start();
        gateway = GatewayHarness.withQosReports(redis.uri(), prefix,
                URI.create("http://127.0.0.1:" + qosServer.getAddress().getPort() + "/reports"));
        store = new RedisSessionStore(RedisStoreSettings.defaults(redis.uri()).withKeyPrefix(prefix));
    }

    @AfterEach
    void stop() {
        stall.countDown();
        if (store != null) {
            store.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (qosServer != null) {
            qosServer.stop(0);
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** alice calls bob, bob answers; returns the call id. */
    private static String answeredCall(WsClient alice, WsClient bob) {
        String callId = alice.callOk("call.invite", params().put("to", "bob").put("sdp", Sdp.browserOffer(Sdp.newUfrag())),
                WAIT).path("callId").asText();
        JsonNode incoming = bob.awaitCallEvent("call.incoming", callId, WAIT);
        bob.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        return callId;
    }

    private static ObjectNode stream(String kind, String direction, String codec, long packets, double mos) {
        ObjectNode s = WsClient.json().createObjectNode().put("kind", kind).put("direction", direction);
        s.put("codec", codec).put("packets", packets).put("packetsLost", -1).put("bytes", packets * 160)
                .put("jitterMs", 2.5).put("roundTripMs", 20.0).put("mos", mos);
        return s;
    }

    private static ObjectNode report(String callId, ObjectNode... streams) {
        ObjectNode p = params().put("callId", callId);
        ArrayNode array = p.putArray("streams");
        for (ObjectNode s : streams) {
            array.add(s);
        }
        return p;
    }

    private JsonNode nextReceived() throws InterruptedException {
        JsonNode r = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("the QoS server received no report within " + WAIT);
        }
        return r;
    }

    @Test
    void bothReportsReachTheQosServerAndTheCallRecord() throws Exception {
        WsClient alice = gateway.login("alice-token");
        WsClient bob = gateway.login("bob-token");
        String callId = answeredCall(alice, bob);

        assertEquals("{}", alice.callOk("qos.report", report(callId, stream("audio", "inbound", "opus", 100, 4.0)),
                WAIT).toString());
        alice.callOk("qos.report", report(callId, stream("audio", "inbound", "opus", 500, 4.2),
                stream("audio", "outbound", "opus", 510, 4.1)), WAIT);
        bob.callOk("qos.report", report(callId, stream("audio", "inbound", "opus", 490, 3.9)), WAIT);

        Map<String, JsonNode> latestByUser = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            JsonNode r = nextReceived();
            assertEquals(callId, r.path("callId").asText(), r.toString());
            assertEquals("it-node", r.path("node").asText(), r.toString());
            assertTrue(r.path("receivedAt").asText().endsWith("Z"), r.toString());
            latestByUser.merge(r.path("user").asText(), r,
                    (a, b) -> a.path("streams").size() > b.path("streams").size() ? a : b);
        }
        assertEquals(2, latestByUser.get("alice").path("streams").size(), latestByUser.toString());
        assertEquals(500, latestByUser.get("alice").path("streams").get(0).path("packets").asLong());
        assertEquals("outbound", latestByUser.get("alice").path("streams").get(1).path("direction").asText());
        assertEquals(3.9, latestByUser.get("bob").path("streams").get(0).path("mos").asDouble());
        assertEquals(-1, latestByUser.get("bob").path("streams").get(0).path("packetsLost").asLong());

        CallRecord call = store.call(callId).orElseThrow();
        assertEquals(List.of("alice", "bob"), call.quality().keySet().stream().sorted().toList());
        assertEquals(List.of(new CallQuality.Stream("audio", "inbound", "opus", 500L, -1L, 80_000L, 2.5, 20.0, 4.2),
                new CallQuality.Stream("audio", "outbound", "opus", 510L, -1L, 81_600L, 2.5, 20.0, 4.1)),
                call.quality().get("alice").streams(), "alice's latest report replaced her first one");
        assertEquals(490L, call.quality().get("bob").streams().get(0).packets());
    }

    @Test
    void aBadReportIsRefusedAndTheCallGoesOn() {
        WsClient alice = gateway.login("alice-token");
        WsClient bob = gateway.login("bob-token");
        String callId = answeredCall(alice, bob);

        RpcReply bad = alice.call("qos.report", report(callId, stream("audio", "inbound", "opus", 10, 9.5)), WAIT);
        assertEquals(-32602, bad.errorCode(), bad.message().toString());
        assertTrue(bad.error().path("message").asText().startsWith("streams[0].mos"), bad.message().toString());
        RpcReply empty = alice.call("qos.report", report(callId), WAIT);
        assertEquals(-32602, empty.errorCode(), empty.message().toString());

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        bob.awaitCallEvent("call.ended", callId, WAIT);
    }

    @Test
    void aReportAboutSomeoneElsesCallIsNotFound() {
        WsClient alice = gateway.login("alice-token");
        WsClient bob = gateway.login("bob-token");
        WsClient carol = gateway.login("carol-token");
        String callId = answeredCall(alice, bob);

        RpcReply refused = carol.call("qos.report", report(callId, stream("audio", "inbound", "opus", 1, 4)), WAIT);
        assertEquals(404, refused.errorCode(), refused.message().toString());
        RpcReply unknown = carol.call("qos.report", report("no-such-call", stream("audio", "inbound", "opus", 1, 4)),
                WAIT);
        assertEquals(404, unknown.errorCode(), unknown.message().toString());
        RpcReply early = gateway.connect().call("qos.report", report(callId, stream("audio", "inbound", "opus", 1, 4)),
                WAIT);
        assertEquals(401, early.errorCode(), early.message().toString());
        assertTrue(store.call(callId).orElseThrow().quality().isEmpty(), "nothing was kept");
    }

    @Test
    void aQosServerThatDoesNotAnswerDoesNotDelayTheReply() throws Exception {
        WsClient alice = gateway.login("alice-token");
        WsClient bob = gateway.login("bob-token");
        String callId = answeredCall(alice, bob);
        stall = new CountDownLatch(1);

        long started = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            alice.callOk("qos.report", report(callId, stream("audio", "inbound", "opus", i, 4)), WAIT);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "5 replies took " + took + " with the QoS server stalled");
        assertEquals(4L, store.call(callId).orElseThrow().quality().get("alice").streams().get(0).packets());
        stall.countDown();
        assertEquals(callId, nextReceived().path("callId").asText(), "the stalled POST is answered in the end");
    }
}
