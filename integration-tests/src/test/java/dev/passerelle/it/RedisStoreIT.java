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
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A whole gateway on {@code store.type: redis}, against a real Redis ({@code REDIS_URL}, or a
 * redis-server the test starts): calls and resume work as on the memory store, and when Redis
 * goes away the node says so on {@code /health}, refuses what needs the store with 503, and comes
 * back by itself when Redis does.
 */
class RedisStoreIT {

    private TestRedis redis;
    private GatewayHarness gateway;

    @BeforeEach
    void start() {
        redis = TestRedis.fromEnvironmentOrEmbedded();
        gateway = GatewayHarness.withRedis(redis.uri());
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aWebToWebCallAndAResumeRunOnTheRedisStore() {
        WsClient alice = gateway.login("alice-token");
        WsClient bob = gateway.connect();
        String resumeToken = bob.login("bob-token").path("resumeToken").asText();
        String callId = alice.callOk("call.invite",
                params().put("to", "bob").put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
        JsonNode incoming = bob.awaitCallEvent("call.incoming", callId, WAIT);
        bob.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);

        bob.close();
        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        WsClient back = gateway.connect();
        JsonNode resumed = back.callOk("session.resume", params().put("resumeToken", resumeToken)
                .put("lastSeq", incoming.path("seq").asLong()), WAIT);
        assertEquals(2, resumed.path("replayed").asInt(), "call.confirmed and call.ended, kept in Redis: " + resumed);
        back.awaitCallEvent("call.ended", callId, WAIT);
    }

    @Test
    void redisDownIsReportedAndRefusedThenHealedByItself() throws Exception {
        WsClient alice = gateway.login("alice-token");
        assertEquals(200, gateway.health().statusCode());

        redis.stop();
        HttpResponse<String> down = gateway.health();
        assertEquals(503, down.statusCode(), down.body());
        assertTrue(down.body().contains("\"status\":\"degraded\"") && down.body().contains("\"type\":\"redis\"")
                && down.body().contains("\"status\":\"down\""), down.body());
        RpcReply refused = gateway.connect().call("session.login", params().put("token", "bob-token"), WAIT);
        assertEquals(503, refused.errorCode(), refused.message().toString());
        assertTrue(alice.isOpen(), "a session the node holds keeps its socket");

        redis.restart();
        gateway.awaitHealthy();
        gateway.login("bob-token");
    }
}
