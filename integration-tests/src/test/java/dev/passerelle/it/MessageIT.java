package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.TextSipPhone;
import dev.passerelle.peers.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chat through one real gateway: {@code message.send} to a phone (SIP MESSAGE, RFC 3428) and its
 * {@code message.status}, a phone's MESSAGE to every tab of a web user, messages and data between
 * web users, and what is refused.
 */
class MessageIT {

    private static GatewayHarness gateway;
    private static TextSipPhone phone;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start();
        phone = TextSipPhone.start(gateway.sipPort());
    }

    @AfterAll
    static void stop() {
        phone.close();
        gateway.close();
    }

    @Test
    void aBrowsersMessageReachesThePhoneAndItsOutcomeComesBack() {
        WsClient alice = gateway.login("alice-token");
        String id = alice.callOk("message.send", params().put("to", phone.uri()).put("body", "bonjour ☃")
                .put("contentType", "text/plain;charset=UTF-8"), WAIT).path("messageId").asText();
        TextSipPhone.Message m = phone.expect(r -> r.isRequest("MESSAGE"), WAIT, "MESSAGE");
        assertEquals("bonjour ☃", m.body());
        assertEquals("text/plain;charset=UTF-8", m.header("Content-Type").replace(" ", ""));
        assertTrue(m.header("From").contains("sip:alice@localhost"), m.header("From"));
        assertTrue(alice.eventLog().poll(e -> "message.status".equals(e.path("method").asText()),
                Duration.ofMillis(300)).isEmpty(), "no status before the phone answers");
        phone.send(phone.response(m, 200, "OK", "p1", "", null));
        JsonNode status = alice.awaitEvent("message.status", p -> id.equals(p.path("messageId").asText()), WAIT);
        assertEquals("delivered", status.path("status").asText());
        assertEquals(200, status.path("code").asInt());

        String busy = alice.callOk("message.send", params().put("to", phone.uri()).put("body", "still there?"), WAIT)
                .path("messageId").asText();
        TextSipPhone.Message second = phone.expect(r -> r.isRequest("MESSAGE"), WAIT, "MESSAGE");
        assertEquals("text/plain;charset=UTF-8", second.header("Content-Type").replace(" ", ""), "the default type");
        phone.send(phone.response(second, 486, "Busy Here", "p2", "", null));
        JsonNode failed = alice.awaitEvent("message.status", p -> busy.equals(p.path("messageId").asText()), WAIT);
        assertEquals("failed", failed.path("status").asText());
        assertEquals(486, failed.path("code").asInt());
        Events.assertSeqIncreasesByOne(alice.events());
    }

    @Test
    void aPhonesMessageReachesEveryTabOfTheUser() {
        WsClient tab1 = gateway.login("bob-token");
        WsClient tab2 = gateway.login("bob-token");
        Instant before = Instant.now();
        phone.send(message("sip:bob@localhost", "text/plain", "ring me"));
        TextSipPhone.Message answer = phone.expect(MessageIT::isFinal, WAIT, "final response");
        assertTrue(answer.isResponse(200, "MESSAGE"), answer.firstLine());
        for (WsClient tab : new WsClient[] {tab1, tab2}) {
            JsonNode received = tab.awaitEvent("message.received", p -> "ring me".equals(p.path("body").asText()), WAIT);
            assertEquals(phone.uri(), received.path("from").asText());
            assertEquals("text/plain", received.path("contentType").asText());
            assertTrue(!Instant.parse(received.path("timestamp").asText()).isBefore(before.minusSeconds(1)));
            assertTrue(!received.path("messageId").asText().isEmpty());
        }
    }

    @Test
    void aPhonesMessageToAUserWithoutSessionIs480AndToNobodyIs404() {
        phone.send(message("sip:carol@localhost", "text/plain", "hello?"));
        assertTrue(phone.expect(MessageIT::isFinal, WAIT, "final response").isResponse(480, "MESSAGE"));
        phone.send(message("sip:nobody@localhost", "text/plain", "hello?"));
        assertTrue(phone.expect(MessageIT::isFinal, WAIT, "final response").isResponse(404, "MESSAGE"));
        phone.send(message("sip:bob@localhost", "image/png", "png"));
        assertTrue(phone.expect(MessageIT::isFinal, WAIT, "final response").isResponse(415, "MESSAGE"));
    }

    @Test
    void aMessageInsideACallsDialogReachesTheUser() {
        WsClient bob = gateway.login("bob-token");
        try (SipPhone caller = SipPhone.start()) {
            String sipCallId = caller.call("sip:bob@localhost", "127.0.0.1", gateway.sipPort(), caller.sdp());
            JsonNode incoming = bob.awaitEvent("call.incoming", p -> true, WAIT);
            String callId = incoming.path("callId").asText();
            bob.callOk("call.answer", params().put("callId", callId)
                    .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
            caller.awaitResponse(sipCallId, 200, WAIT);
            bob.awaitCallEvent("call.confirmed", callId, WAIT);

            caller.request(sipCallId, "MESSAGE", "text/plain", "said during the call");
            PhoneEvent ok = caller.await(e -> e instanceof PhoneEvent.Response r && "MESSAGE".equals(r.method())
                    && r.status() >= 200, WAIT, "the final response to the MESSAGE");
            assertEquals(200, ((PhoneEvent.Response) ok).status());
            JsonNode received = bob.awaitEvent("message.received",
                    p -> "said during the call".equals(p.path("body").asText()), WAIT);
            assertEquals(caller.uri(), received.path("from").asText());
            bob.callOk("call.hangup", params().put("callId", callId), WAIT);
        }
    }

    @Test
    void webUsersMessageEachOtherAndTheSenderHearsTheOutcome() {
        WsClient alice = gateway.login("alice-token");
        WsClient bob = gateway.login("bob-token");
        String id = alice.callOk("message.send", params().put("to", "bob").put("body", "{\"hi\":1}")
                .put("contentType", "application/json"), WAIT).path("messageId").asText();
        JsonNode received = bob.awaitEvent("message.received", p -> id.equals(p.path("messageId").asText()), WAIT);
        assertEquals("sip:alice@localhost", received.path("from").asText());
        assertEquals("{\"hi\":1}", received.path("body").asText());
        assertEquals("application/json", received.path("contentType").asText());
        JsonNode status = alice.awaitEvent("message.status", p -> id.equals(p.path("messageId").asText()), WAIT);
        assertEquals("delivered", status.path("status").asText());
        assertEquals(200, status.path("code").asInt());

        String lost = alice.callOk("message.send", params().put("to", "carol").put("body", "x"), WAIT)
                .path("messageId").asText();
        JsonNode failed = alice.awaitEvent("message.status", p -> lost.equals(p.path("messageId").asText()), WAIT);
        assertEquals("failed", failed.path("status").asText());
        assertEquals(480, failed.path("code").asInt());

        // To yourself: every session of yours, this one included.
        String self = alice.callOk("message.send", params().put("to", "alice").put("body", "note"), WAIT)
                .path("messageId").asText();
        alice.awaitEvent("message.received", p -> self.equals(p.path("messageId").asText()), WAIT);
    }

    @Test
    void dataGoesToEverySessionOfAWebUserOnly() {
        WsClient alice = gateway.login("alice-token");
        WsClient bob = gateway.login("bob-token");
        alice.callOk("data.send", params().put("to", "bob").set("payload",
                WsClient.json().createObjectNode().put("x", 3).set("list", WsClient.json().createArrayNode().add(1))), WAIT);
        JsonNode data = bob.awaitEvent("data.received", p -> p.path("payload").path("x").asInt() == 3, WAIT);
        assertEquals("sip:alice@localhost", data.path("from").asText());
        assertEquals("{\"x\":3,\"list\":[1]}", data.path("payload").toString());

        assertEquals(480, alice.call("data.send", params().put("to", "carol").put("payload", 1), WAIT).errorCode());
        assertEquals(404, alice.call("data.send", params().put("to", phone.uri()).put("payload", 1), WAIT).errorCode());
        assertEquals(404, alice.call("data.send", params().put("to", "nobody").put("payload", 1), WAIT).errorCode());
    }

    @Test
    void badInputIsRefusedClearly() {
        WsClient alice = gateway.login("alice-token");
        RpcReply big = alice.call("message.send", params().put("to", "bob").put("body", "x".repeat(16 * 1024 + 1)), WAIT);
        assertEquals(-32602, big.errorCode());
        assertTrue(big.error().path("message").asText().startsWith("body "), big.toString());
        RpcReply type = alice.call("message.send", params().put("to", "bob").put("body", "x")
                .put("contentType", "image/png"), WAIT);
        assertEquals(-32602, type.errorCode());
        assertEquals(404, alice.call("message.send", params().put("to", "nobody").put("body", "x"), WAIT).errorCode());
        WsClient carol = gateway.login("carol-token");
        RpcReply denied = carol.call("message.send", params().put("to", "sip:bar@premium.example.com").put("body", "x"),
                WAIT);
        assertEquals(403, denied.errorCode());
        assertNull(phone.poll(r -> r.isRequest("MESSAGE"), Duration.ofMillis(300)), "nothing left for a refused message");
        // The session is untouched.
        assertTrue(carol.callOk("message.send", params().put("to", "carol").put("body", "ok"), WAIT)
                .path("messageId").isTextual());
        // The other tests count on carol having no session.
        carol.callOk("session.logout", params(), WAIT);
    }

    private static boolean isFinal(TextSipPhone.Message m) {
        return m.firstLine().startsWith("SIP/2.0 ") && !m.firstLine().startsWith("SIP/2.0 1");
    }

    private String message(String requestUri, String type, String body) {
        String head = phone.request("MESSAGE", requestUri, "m-" + UUID.randomUUID(), "<" + phone.uri() + ">;tag=t"
                + UUID.randomUUID().toString().substring(0, 8), "<" + requestUri + ">", 1,
                "Content-Type: " + type + "\r\n", null);
        return head.replace("Content-Length: 0\r\n\r\n", "Content-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
    }
}
