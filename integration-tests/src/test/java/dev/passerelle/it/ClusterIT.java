package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.session.redis.TestRedis;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three gateway nodes (three composition roots, each with its own WebSocket and SIP ports) on one
 * real Redis: any node serves any user. A phone calling node B rings the user's socket on node A;
 * web users on two nodes call each other both ways; a session dropped on one node resumes on
 * another with every event, once, in order, while events keep coming.
 */
class ClusterIT {

    private AutoCloseable redis;
    private GatewayHarness a;
    private GatewayHarness b;
    private GatewayHarness c;

    /** The Redis the nodes share: {@code REDIS_URL}, or an embedded one. Returns its URI. */
    protected String startRedis() throws Exception {
        TestRedis started = TestRedis.fromEnvironmentOrEmbedded();
        redis = started;
        return started.uri();
    }

    /** Lets the subclass hand over the Redis it started, to be closed after the nodes. */
    protected final void ownRedis(AutoCloseable started) {
        redis = started;
    }

    @BeforeEach
    void start() throws Exception {
        String uri = startRedis();
        String prefix = "it-cluster-" + UUID.randomUUID() + ":";
        a = GatewayHarness.clusterNode("node-a", uri, prefix);
        b = GatewayHarness.clusterNode("node-b", uri, prefix);
        c = GatewayHarness.clusterNode("node-c", uri, prefix);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable part : new AutoCloseable[] {a, b, c, redis}) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static String answerTo(JsonNode incoming) {
        return Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag());
    }

    @Test
    void aPhoneCallingNodeBRingsTheUserOnNodeA() {
        WsClient alice = a.login("alice-token");
        try (SipPhone phone = SipPhone.start()) {
            String sipCallId = phone.call("sip:alice@localhost", "127.0.0.1", b.sipPort(), phone.sdp());
            JsonNode incoming = alice.awaitEvent("call.incoming", p -> true, WAIT);
            String callId = incoming.path("callId").asText();
            phone.awaitResponse(sipCallId, 180, WAIT);

            // Answered on node A; node B holds the SIP leg and sends the 200.
            alice.callOk("call.answer", params().put("callId", callId).put("sdp", answerTo(incoming)), WAIT);
            PhoneEvent.Response ok = phone.awaitResponse(sipCallId, 200, WAIT);
            assertTrue(ok.body().contains("m=audio "), ok.raw());
            alice.awaitCallEvent("call.confirmed", callId, WAIT);

            phone.bye(sipCallId);
            JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
            assertEquals("remote", ended.path("by").asText(), ended.toString());
        }
    }

    @Test
    void webUsersOnTwoNodesCallEachOtherBothWays() {
        WsClient alice = a.login("alice-token");
        WsClient bob = b.login("bob-token");

        callAndHangUp(alice, "bob", bob);
        callAndHangUp(bob, "alice", alice);
    }

    /** {@code caller} calls {@code callee} by name, the callee answers and then hangs up. */
    private static void callAndHangUp(WsClient caller, String calleeName, WsClient callee) {
        String callId = caller.callOk("call.invite",
                params().put("to", calleeName).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT)
                .path("callId").asText();
        JsonNode incoming = callee.awaitCallEvent("call.incoming", callId, WAIT);
        callee.callOk("call.answer", params().put("callId", callId).put("sdp", answerTo(incoming)), WAIT);
        JsonNode accepted = caller.awaitCallEvent("call.accepted", callId, WAIT);
        assertTrue(accepted.path("sdp").asText().contains("m=audio "), accepted.toString());

        callee.callOk("call.hangup", params().put("callId", callId), WAIT);
        assertEquals("remote", caller.awaitCallEvent("call.ended", callId, WAIT).path("by").asText());
        assertEquals("local", callee.awaitCallEvent("call.ended", callId, WAIT).path("by").asText());
    }

    /**
     * Alice on node A has 200 calls ringing Bob on node B and hangs them all up; a quarter of the
     * way in, with hangups still in flight, Bob's socket drops and he resumes on node C. Bob hears
     * each of the 200 ends exactly once, and the seqs he saw, before and after, are 1..n with no
     * gap and no repeat.
     */
    @Test
    void aSessionDroppedOnOneNodeResumesOnAnotherWithEveryEventOnceInOrder() throws Exception {
        WsClient alice = a.login("alice-token");
        WsClient bobOnB = b.connect();
        String resumeToken = bobOnB.login("bob-token").path("resumeToken").asText();
        int calls = 200;
        List<String> callIds = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            callIds.add(alice.callOk("call.invite",
                    params().put("to", "bob").put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText());
        }
        bobOnB.eventLog().await(e -> count(bobOnB.events(), "call.incoming") >= calls, WAIT, "every call.incoming");

        List<CompletableFuture<?>> hangups = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            hangups.add(alice.call("call.hangup", params().put("callId", callIds.get(i))));
            if (i == calls / 4) {
                bobOnB.close();
            }
        }
        List<JsonNode> before = bobOnB.events();
        long lastSeq = before.stream().mapToLong(e -> e.path("params").path("seq").asLong()).max().orElse(0);
        WsClient bobOnC = c.connect();
        bobOnC.callOk("session.resume", params().put("resumeToken", resumeToken).put("lastSeq", lastSeq), WAIT);
        for (CompletableFuture<?> hangup : hangups) {
            hangup.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        bobOnC.eventLog().await(e -> count(before, "call.ended") + count(bobOnC.events(), "call.ended") >= calls, WAIT,
                "all " + calls + " call.ended events");

        List<Long> seqs = new ArrayList<>();
        Set<String> ended = new HashSet<>();
        for (List<JsonNode> part : List.of(before, bobOnC.events())) {
            for (JsonNode e : part) {
                if (e.has("method")) {
                    seqs.add(e.path("params").path("seq").asLong());
                    if (e.path("method").asText().equals("call.ended")) {
                        assertTrue(ended.add(e.path("params").path("callId").asText()), "heard twice: " + e);
                    }
                }
            }
        }
        assertEquals(new HashSet<>(callIds), ended);
        assertEquals(2 * calls, seqs.size(), "events heard: " + seqs);
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1, seqs.get(i), "seq " + (i + 1) + " expected at position " + i + ": " + seqs);
        }
        assertTrue(count(before, "call.ended") < calls, "the drop came after every end: nothing was in flight");
    }

    private static long count(List<JsonNode> events, String method) {
        return events.stream().filter(e -> method.equals(e.path("method").asText())).count();
    }
}
