package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.session.redis.TestRedis;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis restarted under a live call between two nodes. The Redis keeps its data across the restart
 * (an append-only file, as in production). While it is down, both nodes keep their sockets and
 * refuse what needs the store with 503; once it is back they heal by themselves, and the call
 * goes on across the nodes: the hangup on one node reaches the other over the re-subscribed bus.
 */
class RedisRestartIT {

    private Path dataDir;
    private TestRedis redis;
    private GatewayHarness a;
    private GatewayHarness b;

    @BeforeEach
    void start() throws Exception {
        dataDir = Files.createTempDirectory("passerelle-it-redis");
        redis = TestRedis.embeddedPersistent(dataDir);
        String prefix = "it-restart-" + UUID.randomUUID() + ":";
        a = GatewayHarness.clusterNode("node-a", redis.uri(), prefix);
        b = GatewayHarness.clusterNode("node-b", redis.uri(), prefix);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable part : new AutoCloseable[] {a, b, redis}) {
            if (part != null) {
                part.close();
            }
        }
        try (var files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void aCallAcrossTwoNodesOutlivesARedisRestart() throws Exception {
        WsClient alice = a.login("alice-token");
        WsClient bob = b.login("bob-token");
        String callId = alice.callOk("call.invite",
                params().put("to", "bob").put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
        JsonNode incoming = bob.awaitCallEvent("call.incoming", callId, WAIT);
        bob.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);

        redis.stop();
        assertEquals(503, a.health().statusCode());
        RpcReply refused = bob.call("call.hangup", params().put("callId", callId), WAIT);
        assertEquals(503, refused.errorCode(), refused.message().toString());
        assertTrue(alice.isOpen() && bob.isOpen(), "the sockets the nodes hold stay open while Redis is down");

        redis.restart();
        a.awaitHealthy();
        b.awaitHealthy();
        bob.callOk("call.hangup", params().put("callId", callId), WAIT);
        assertEquals("remote", alice.awaitCallEvent("call.ended", callId, WAIT).path("by").asText());
        assertEquals("local", bob.awaitCallEvent("call.ended", callId, WAIT).path("by").asText());
        assertContiguous(alice.events());
        assertContiguous(bob.events());
    }

    private static void assertContiguous(List<JsonNode> events) {
        List<Long> seqs = new ArrayList<>();
        for (JsonNode e : events) {
            if (e.has("method")) {
                seqs.add(e.path("params").path("seq").asLong());
            }
        }
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1, seqs.get(i), "seqs heard: " + seqs);
        }
    }
}
