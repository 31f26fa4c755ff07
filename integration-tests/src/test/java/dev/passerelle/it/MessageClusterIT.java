package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.session.redis.TestRedis;
import dev.passerelle.peers.TextSipPhone;
import dev.passerelle.peers.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateway nodes on one Redis: a message or data sent on one node reaches every session of the
 * user on both nodes, a phone's MESSAGE to node B reaches the user on node A, and the sender's
 * {@code message.status} comes back on the sender's node.
 */
class MessageClusterIT {

    private TestRedis redis;
    private GatewayHarness a;
    private GatewayHarness b;

    @BeforeEach
    void start() throws Exception {
        redis = TestRedis.fromEnvironmentOrEmbedded();
        String prefix = "it-message-" + UUID.randomUUID() + ":";
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
    }

    @Test
    void messagesAndDataCrossNodesToEveryTab() {
        WsClient alice = a.login("alice-token");
        WsClient bobOnA = a.login("bob-token");
        WsClient bobOnB = b.login("bob-token");

        String id = alice.callOk("message.send", params().put("to", "bob").put("body", "across"), WAIT)
                .path("messageId").asText();
        for (WsClient tab : new WsClient[] {bobOnA, bobOnB}) {
            JsonNode received = tab.awaitEvent("message.received", p -> id.equals(p.path("messageId").asText()), WAIT);
            assertEquals("across", received.path("body").asText());
            assertEquals("sip:alice@localhost", received.path("from").asText());
        }
        JsonNode status = alice.awaitEvent("message.status", p -> id.equals(p.path("messageId").asText()), WAIT);
        assertEquals("delivered", status.path("status").asText());

        // Bob answers from node B to alice on node A.
        String reply = bobOnB.callOk("message.send", params().put("to", "sip:alice@localhost").put("body", "back"), WAIT)
                .path("messageId").asText();
        assertEquals("back", alice.awaitEvent("message.received", p -> reply.equals(p.path("messageId").asText()), WAIT)
                .path("body").asText());
        bobOnB.awaitEvent("message.status", p -> reply.equals(p.path("messageId").asText())
                && "delivered".equals(p.path("status").asText()), WAIT);

        bobOnB.callOk("data.send", params().put("to", "alice").set("payload",
                WsClient.json().createObjectNode().put("cursor", 42)), WAIT);
        JsonNode data = alice.awaitEvent("data.received", p -> p.path("payload").path("cursor").asInt() == 42, WAIT);
        assertEquals("sip:bob@localhost", data.path("from").asText());

        for (WsClient c : new WsClient[] {alice, bobOnA, bobOnB}) {
            Events.assertSeqIncreasesByOne(c.events());
        }
    }

    @Test
    void aPhonesMessageToNodeBReachesTheUserOnNodeA() {
        WsClient alice = a.login("alice-token");
        try (TextSipPhone phone = TextSipPhone.start(b.sipPort())) {
            String body = "via B";
            String head = phone.request("MESSAGE", "sip:alice@localhost", "m-" + UUID.randomUUID(),
                    "<" + phone.uri() + ">;tag=x1", "<sip:alice@localhost>", 1, "Content-Type: text/plain\r\n", null);
            phone.send(head.replace("Content-Length: 0\r\n\r\n", "Content-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body));
            TextSipPhone.Message answer = phone.expect(m -> m.firstLine().startsWith("SIP/2.0 ")
                    && !m.firstLine().startsWith("SIP/2.0 1"), WAIT, "final response");
            assertTrue(answer.isResponse(200, "MESSAGE"), answer.firstLine());
        }
        assertEquals("via B", alice.awaitEvent("message.received", p -> true, WAIT).path("body").asText());
    }
}
