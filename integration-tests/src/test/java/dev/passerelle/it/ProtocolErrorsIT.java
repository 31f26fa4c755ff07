package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.WsClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a browser gets for bad input over the real socket, and which mistakes the connection survives. */
class ProtocolErrorsIT {

    private static GatewayHarness gateway;

    @BeforeAll
    static void startGateway() {
        gateway = GatewayHarness.start();
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    /** The connection still works: a login on it succeeds. */
    private static void assertAlive(WsClient client) {
        assertTrue(client.isOpen(), "the connection was closed");
        assertEquals("alice", client.login("alice-token").path("identity").path("user").asText());
    }

    /** The error reply to a frame sent raw, found by its code since its id may be null. */
    private static JsonNode awaitRawError(WsClient client, int code) {
        return client.eventLog().await(m -> m.path("error").path("code").asInt() == code, WAIT, "error " + code).get("error");
    }

    @Test
    void subprotocolIsNegotiated() {
        assertEquals(WsClient.SUBPROTOCOL, gateway.connect().subprotocol());
    }

    @Test
    void malformedJsonIsAParseErrorAndTheConnectionLivesOn() {
        WsClient client = gateway.connect();
        client.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"session.login\",");
        JsonNode error = awaitRawError(client, -32700);
        assertFalse(error.path("message").asText().isEmpty(), "an error needs a message: " + error);
        assertAlive(client);
    }

    @Test
    void unknownMethod() {
        WsClient client = gateway.login("alice-token");
        assertEquals(-32601, client.call("call.teleport", params(), WAIT).errorCode());
        // Still served: the next request gets its own answer.
        assertEquals(404, client.call("call.hangup", params().put("callId", "no-such-call"), WAIT).errorCode());
        assertTrue(client.isOpen());
    }

    @Test
    void anyMethodButLoginAndResumeIsUnauthorizedBeforeLogin() {
        // The contract's rule comes before the method check: a client not logged in learns
        // nothing about which methods exist.
        WsClient client = gateway.connect();
        assertEquals(401, client.call("call.teleport", params(), WAIT).errorCode());
        assertEquals(401, client.call("call.invite", params().put("to", 42), WAIT).errorCode());
        assertEquals(-32602, client.call("session.login", params(), WAIT).errorCode());
        assertAlive(client);
    }

    @Test
    void invalidParams() {
        WsClient client = gateway.login("alice-token");
        // `to` must be a string and `sdp` is required.
        RpcReply reply = client.call("call.invite", params().put("to", 42), WAIT);
        assertEquals(-32602, reply.errorCode(), reply.message().toString());
        assertTrue(client.isOpen());
    }

    /**
     * A malformed offer is the client's mistake: -32602 naming the line and the problem, and the
     * session goes on (its next call is refused for its own reason, not this one's).
     */
    @Test
    void malformedSdpIsInvalidParamsNamingTheLine() {
        WsClient client = gateway.login("alice-token");
        String offer = Sdp.browserOffer(Sdp.newUfrag()).replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:0 PCMU/eight");
        RpcReply reply = client.call("call.invite", params().put("to", "sip:phone@127.0.0.1:5999").put("sdp", offer), WAIT);
        assertEquals(-32602, reply.errorCode(), reply.message().toString());
        int line = offer.lines().toList().indexOf("a=rtpmap:0 PCMU/eight") + 1;
        assertTrue(reply.message().path("error").path("message").asText().startsWith("sdp line " + line + " (a=rtpmap:0 PCMU/eight): "),
                reply.message().toString());

        String nul = Sdp.browserOffer(Sdp.newUfrag()).replace("s=-", "s=\u0000");
        assertEquals(-32602, client.call("call.invite", params().put("to", "sip:phone@127.0.0.1:5999").put("sdp", nul), WAIT).errorCode());
        String seventeenSections = Sdp.browserOffer(Sdp.newUfrag()) + "m=audio 9 RTP/AVP 0\r\n".repeat(16);
        RpcReply tooMany = client.call("call.invite",
                params().put("to", "sip:phone@127.0.0.1:5999").put("sdp", seventeenSections), WAIT);
        assertEquals(-32602, tooMany.errorCode(), tooMany.message().toString());
        assertEquals(404, client.call("call.hangup", params().put("callId", "no-such-call"), WAIT).errorCode(),
                "the session still answers its requests");
    }

    @Test
    void callBeforeLoginIsUnauthorized() {
        WsClient client = gateway.connect();
        RpcReply reply = client.call("call.invite",
                params().put("to", "sip:phone@127.0.0.1:5999").put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT);
        assertEquals(401, reply.errorCode(), reply.message().toString());
        assertAlive(client);
    }

    @Test
    void wrongTokenIsRefused() {
        WsClient client = gateway.connect();
        RpcReply reply = client.call("session.login", params().put("token", "not-a-token"), WAIT);
        assertTrue(reply.isError(), reply.message().toString());
        assertAlive(client);
    }

    @Test
    void frameOver64KiBClosesWith1009() throws Exception {
        WsClient client = gateway.connect();
        String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"session.login\",\"params\":{\"token\":\""
                + "x".repeat(65 * 1024) + "\"}}";
        try {
            client.sendRaw(big);
        } catch (IllegalStateException e) {
            // The server may close while the frame is still being written; the close code tells.
        }
        assertEquals(1009, client.closed().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void nestingDeeperThan32IsRefusedAndTheConnectionLivesOn() {
        WsClient client = gateway.connect();
        String deep = "[".repeat(40) + "]".repeat(40);
        client.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":\"deep\",\"method\":\"session.login\",\"params\":{\"token\":\"alice-token\",\"device\":"
                + deep + "}}");
        JsonNode reply = client.eventLog().await(m -> m.has("error"), WAIT, "an error for the deep message");
        assertTrue(reply.path("error").path("code").isInt(), reply.toString());
        assertAlive(client);
    }
}
