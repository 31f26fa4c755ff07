package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code call.dtmf} as SIP INFO to a phone, INFO from the phone as the {@code call.dtmf} event, and web to web. */
class DtmfIT {

    private static GatewayHarness gateway;
    private SipPhone phone;
    private WsClient alice;

    @BeforeAll
    static void startGateway() {
        gateway = GatewayHarness.start();
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    @BeforeEach
    void peers() {
        phone = SipPhone.start();
        alice = gateway.login("alice-token");
    }

    @AfterEach
    void stopPeers() {
        alice.close();
        phone.close();
    }

    @Test
    void tonesGoBothWaysAsInfo() {
        phone.behave(new SipPhone.Behaviour.Answer());
        String callId = alice.callOk("call.invite", params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())),
                WAIT).path("callId").asText();
        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        phone.awaitRequest("ACK", invite.callId(), WAIT);

        alice.callOk("call.dtmf", params().put("callId", callId).put("tones", "12#"), WAIT);
        long previous = invite.cseq();
        for (String tone : List.of("1", "2", "#")) {
            PhoneEvent.Request info = (PhoneEvent.Request) phone.await(e -> e instanceof PhoneEvent.Request r
                    && r.method().equals("INFO") && r.body().contains("Signal=" + tone + "\r\n"), WAIT, "INFO " + tone);
            assertTrue(info.raw().contains("application/dtmf-relay"), info.raw());
            assertTrue(info.body().contains("Duration=160"), info.body());
            assertTrue(info.cseq() > previous, "INFO " + tone + " out of order: " + phone.events());
            previous = info.cseq();
        }

        phone.request(invite.callId(), "INFO", "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
        JsonNode dtmf = alice.awaitCallEvent("call.dtmf", callId, WAIT);
        assertEquals("5", dtmf.path("tones").asText(), dtmf.toString());
        phone.awaitResponse(invite.callId(), 200, WAIT);

        assertEquals(-32602, alice.call("call.dtmf", params().put("callId", callId).put("tones", "1X"), WAIT).errorCode());
        assertEquals(-32602, alice.call("call.dtmf", params().put("callId", callId).put("tones", "1").put("durationMs", 10),
                WAIT).errorCode());
        assertEquals(404, alice.call("call.dtmf", params().put("callId", "no-such-call").put("tones", "1"), WAIT).errorCode());

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        phone.awaitRequest("BYE", invite.callId(), WAIT);
        Events.assertSeqIncreasesByOne(alice.events());
    }

    @Test
    void dtmfBeforeTheAnswerIs400() {
        phone.behave(new SipPhone.Behaviour.RingForever());
        String callId = alice.callOk("call.invite", params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())),
                WAIT).path("callId").asText();
        phone.awaitCall(WAIT);
        alice.awaitCallEvent("call.progress", callId, WAIT);
        assertEquals(400, alice.call("call.dtmf", params().put("callId", callId).put("tones", "1"), WAIT).errorCode());
        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        alice.awaitCallEvent("call.ended", callId, WAIT);
    }

    @Test
    void webToWebTonesReachTheOtherBrowser() {
        try (WsClient bob = gateway.login("bob-token")) {
            String callId = alice.callOk("call.invite", params().put("to", "bob").put("sdp", Sdp.browserOffer(Sdp.newUfrag())),
                    WAIT).path("callId").asText();
            JsonNode incoming = bob.awaitCallEvent("call.incoming", callId, WAIT);
            bob.callOk("call.answer", params().put("callId", callId)
                    .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_002, Sdp.newUfrag())), WAIT);
            alice.awaitCallEvent("call.accepted", callId, WAIT);

            alice.callOk("call.dtmf", params().put("callId", callId).put("tones", "*0d"), WAIT);
            assertEquals("*0D", bob.awaitCallEvent("call.dtmf", callId, WAIT).path("tones").asText());
            bob.callOk("call.dtmf", params().put("callId", callId).put("tones", "7"), WAIT);
            assertEquals("7", alice.awaitCallEvent("call.dtmf", callId, WAIT).path("tones").asText());

            alice.callOk("call.hangup", params().put("callId", callId), WAIT);
            bob.awaitCallEvent("call.ended", callId, WAIT);
        }
    }
}
