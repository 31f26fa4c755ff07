package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SIP phone to browsers: forking to every session of a user, and the users who cannot answer. */
class InboundCallIT {

    private static GatewayHarness gateway;
    private SipPhone phone;

    @BeforeAll
    static void startGateway() {
        gateway = GatewayHarness.start();
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    @BeforeEach
    void startPhone() {
        phone = SipPhone.start();
    }

    @AfterEach
    void stopPhone() {
        phone.close();
    }

    /** The answer of a client that speaks the offer's profile: passthrough copies it to the phone. */
    private static String answerTo(JsonNode incoming) {
        return Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag());
    }

    private String phoneCalls(String user) {
        return phone.call("sip:" + user + "@localhost", "127.0.0.1", gateway.sipPort(), phone.sdp());
    }

    @Test
    void theOnlyTabDecliningAnswersThePhoneWithItsCode() {
        // carol: alice's sessions of other tests are still within their resume window, and ring too.
        WsClient carol = gateway.login("carol-token");
        String sipCallId = phoneCalls("carol");
        JsonNode incoming = carol.awaitEvent("call.incoming", p -> true, WAIT);
        String callId = incoming.path("callId").asText();

        carol.callOk("call.reject", params().put("callId", callId).put("code", 603), WAIT);
        phone.awaitResponse(sipCallId, 603, WAIT);
        JsonNode ended = carol.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals(603, ended.path("code").asInt(), ended.toString());
        assertEquals("local", ended.path("by").asText(), ended.toString());
        carol.callOk("session.logout", params(), WAIT);
        carol.close();
    }

    @Test
    void callForksToEverySessionAndTheFirstAnswerWins() {
        WsClient first = gateway.login("alice-token");
        WsClient second = gateway.login("alice-token");

        String sipCallId = phoneCalls("alice");
        JsonNode incoming1 = first.awaitEvent("call.incoming", p -> true, WAIT);
        JsonNode incoming2 = second.awaitEvent("call.incoming", p -> true, WAIT);
        String callId = incoming1.path("callId").asText();
        assertEquals(callId, incoming2.path("callId").asText(), "both sessions must see the same call");
        assertTrue(incoming1.path("sdp").asText().contains("m=audio " + phone.rtpPort() + " "),
                "call.incoming does not carry the phone's offer: " + incoming1);
        phone.awaitResponse(sipCallId, 180, WAIT);

        first.callOk("call.answer", params().put("callId", callId).put("sdp", answerTo(incoming1)), WAIT);
        PhoneEvent.Response ok = phone.awaitResponse(sipCallId, 200, WAIT);
        assertTrue(ok.body().contains("m=audio "), "200 OK without an SDP answer: " + ok.raw());
        // The phone ACKs the 200 on its own; the answering session learns it with call.confirmed.
        first.awaitCallEvent("call.confirmed", callId, WAIT);
        JsonNode ended = second.awaitCallEvent("call.ended", callId, WAIT);
        assertTrue(ended.path("reason").asText().toLowerCase(Locale.ROOT).contains("answered elsewhere"), ended.toString());

        RpcReply late = second.call("call.answer",
                params().put("callId", callId).put("sdp", answerTo(incoming2)), WAIT);
        assertTrue(late.isError(), "a second answer must be refused: " + late.message());

        phone.bye(sipCallId);
        JsonNode byRemote = first.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals("remote", byRemote.path("by").asText(), byRemote.toString());
        Events.assertSeqIncreasesByOne(first.events());
        Events.assertSeqIncreasesByOne(second.events());
    }

    /** RFC 3261 §21.4.26: a 488 says why in a Warning header; here, the line of the SDP model's refusal. */
    @Test
    void malformedOfferIsRefusedWith488AndAWarningNamingTheLine() {
        gateway.login("alice-token");
        String offer = phone.sdp().replace("m=audio " + phone.rtpPort() + " RTP/AVP", "m=audio 99999 RTP/AVP");
        String sipCallId = phone.call("sip:alice@localhost", "127.0.0.1", gateway.sipPort(), offer);
        PhoneEvent.Response refused = phone.awaitFinalResponse(sipCallId, WAIT);
        assertEquals(488, refused.status(), refused.raw());
        int line = offer.lines().toList().indexOf("m=audio 99999 RTP/AVP 0 8 101") + 1;
        assertTrue(refused.raw().contains("Warning: 399 127.0.0.1 \"sdp line " + line + " (m=audio 99999 RTP/AVP 0 8 101): "),
                refused.raw());
    }

    @Test
    void unknownUserIsNotFound() {
        String sipCallId = phoneCalls("nobody");
        assertEquals(404, phone.awaitFinalResponse(sipCallId, WAIT).status());
    }

    @Test
    void knownUserWithoutSessionIsTemporarilyUnavailable() {
        String sipCallId = phoneCalls("bob");
        assertEquals(480, phone.awaitFinalResponse(sipCallId, WAIT).status());
    }
}
