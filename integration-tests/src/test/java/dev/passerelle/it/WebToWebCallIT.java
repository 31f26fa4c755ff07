package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A call between two web users is relayed between their sessions, without SIP. */
class WebToWebCallIT {

    private static GatewayHarness gateway;
    private static SipPhone phone;

    @BeforeAll
    static void start() {
        // The phone is the gateway's outbound proxy: any SIP request the gateway made for this
        // call would reach it, so its silence shows the call stayed off SIP.
        phone = SipPhone.start();
        gateway = GatewayHarness.start("sip:127.0.0.1:" + phone.port() + ";transport=udp");
    }

    @AfterAll
    static void stop() {
        phone.close();
        gateway.close();
    }

    @Test
    void aliceCallsBob() {
        WsClient alice = gateway.login("alice-token");
        WsClient bob = gateway.login("bob-token");
        String aliceUfrag = Sdp.newUfrag();
        String bobUfrag = Sdp.newUfrag();

        String aliceCallId = alice.callOk("call.invite", params().put("to", "bob").put("sdp", Sdp.browserOffer(aliceUfrag)), WAIT)
                .path("callId").asText();
        JsonNode incoming = bob.awaitEvent("call.incoming", p -> true, WAIT);
        assertTrue(incoming.path("sdp").asText().contains("a=ice-ufrag:" + aliceUfrag), "bob did not get alice's offer: " + incoming);
        assertTrue(incoming.path("from").asText().contains("alice"), incoming.toString());
        String bobCallId = incoming.path("callId").asText();
        assertEquals(aliceCallId, bobCallId, "both browsers name the call by the id call.invite returned");

        bob.callOk("call.answer", params().put("callId", bobCallId).put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_002, bobUfrag)), WAIT);
        JsonNode accepted = alice.awaitCallEvent("call.accepted", aliceCallId, WAIT);
        assertTrue(accepted.path("sdp").asText().contains("a=ice-ufrag:" + bobUfrag), "alice did not get bob's answer: " + accepted);
        bob.awaitCallEvent("call.confirmed", bobCallId, WAIT);

        alice.callOk("call.hangup", params().put("callId", aliceCallId), WAIT);
        JsonNode ended = bob.awaitCallEvent("call.ended", bobCallId, WAIT);
        assertEquals("remote", ended.path("by").asText(), ended.toString());
        JsonNode aliceEnded = alice.awaitCallEvent("call.ended", aliceCallId, WAIT);
        assertEquals("local", aliceEnded.path("by").asText(), aliceEnded.toString());

        Events.assertSeqIncreasesByOne(alice.events());
        Events.assertSeqIncreasesByOne(bob.events());
        assertEquals(List.of(), phone.events(), "the web-to-web call went out over SIP");
    }
}
