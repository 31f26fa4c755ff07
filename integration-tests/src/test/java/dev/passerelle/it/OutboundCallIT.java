package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Browser to SIP phone: every way such a call can end, seen from both ends. */
class OutboundCallIT {

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

    /** Sends call.invite to the phone and returns the gateway's callId. */
    private String invitePhone(String offer) {
        JsonNode result = alice.callOk("call.invite", params().put("to", phone.uri()).put("sdp", offer), WAIT);
        String callId = result.path("callId").asText();
        assertFalse(callId.isEmpty(), "call.invite result without callId: " + result);
        return callId;
    }

    /**
     * Carol's dial plan denies premium numbers: the invite is refused with 403 before anything is
     * sent, so the first INVITE the phone ever sees is the allowed call that follows.
     */
    @Test
    void aDestinationTheDialPlanDeniesIsRefusedBeforeAnySip() {
        WsClient carol = gateway.login("carol-token");
        for (String denied : new String[] {"+33912345678", "tel:+33999000000",
                "sip:rich@premium.example.com"}) {
            RpcReply refused = carol.call("call.invite", params().put("to", denied).put("sdp", Sdp.browserOffer(Sdp.newUfrag())),
                    WAIT);
            assertEquals(403, refused.errorCode(), denied + ": " + refused.message());
            assertTrue(refused.message().toString().contains("is not a destination carol may call"), refused.message().toString());
        }

        String allowed = carol.callOk("call.invite", params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())),
                WAIT).path("callId").asText();
        PhoneEvent.Request first = phone.awaitCall(WAIT);
        assertTrue(first.raw().contains(phone.uri().substring("sip:".length())), first.raw());
        carol.callOk("call.hangup", params().put("callId", allowed), WAIT);
        assertEquals(1, phone.events().stream().filter(e -> e instanceof PhoneEvent.Request r && r.method().equals("INVITE"))
                .count(), "only the allowed call reached the phone: " + phone.events());
    }

    @Test
    void answeredCallReachesBothEndsWithConsecutiveSeq() {
        phone.behave(new SipPhone.Behaviour.RingThenAnswer(Duration.ofMillis(300)));
        String ufrag = Sdp.newUfrag();
        String callId = invitePhone(Sdp.browserOffer(ufrag));

        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        assertTrue(invite.body().contains("m=audio "), "INVITE without an audio offer: " + invite.raw());
        JsonNode progress = alice.awaitCallEvent("call.progress", callId, WAIT);
        assertEquals(180, progress.path("code").asInt(), progress.toString());
        JsonNode accepted = alice.awaitCallEvent("call.accepted", callId, WAIT);
        assertTrue(accepted.path("sdp").asText().contains("m=audio " + phone.rtpPort() + " "),
                "call.accepted does not carry the phone's answer: " + accepted);
        assertTrue(progress.path("seq").asLong() < accepted.path("seq").asLong(), "180 must come before 200: " + alice.events());
        phone.awaitRequest("ACK", invite.callId(), WAIT);

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        phone.awaitRequest("BYE", invite.callId(), WAIT);
        alice.awaitCallEvent("call.ended", callId, WAIT);
        Events.assertSeqIncreasesByOne(alice.events());
    }

    @Test
    void busyPhoneEndsTheCallAndGets486Acknowledged() {
        phone.behave(new SipPhone.Behaviour.Reject(486));
        String callId = invitePhone(Sdp.browserOffer(Sdp.newUfrag()));
        PhoneEvent.Request invite = phone.awaitCall(WAIT);

        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals(486, ended.path("code").asInt(), ended.toString());
        assertEquals("remote", ended.path("by").asText(), ended.toString());
        phone.awaitRequest("ACK", invite.callId(), WAIT);
    }

    @Test
    void hangupWhileRingingCancelsAndAcknowledges487() {
        phone.behave(new SipPhone.Behaviour.RingForever());
        String callId = invitePhone(Sdp.browserOffer(Sdp.newUfrag()));
        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        // CANCEL is only allowed once a provisional response arrived (RFC 3261 9.1).
        alice.awaitCallEvent("call.progress", callId, WAIT);

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        PhoneEvent.Request cancel = phone.awaitRequest("CANCEL", invite.callId(), WAIT);
        assertEquals(invite.cseq(), cancel.cseq(), "CANCEL must carry the INVITE's CSeq number");
        // The phone answered 200 to the CANCEL and 487 to the INVITE; the gateway must ACK the 487.
        PhoneEvent.Request ack = phone.awaitRequest("ACK", invite.callId(), WAIT);
        assertEquals(invite.cseq(), ack.cseq());
        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals("local", ended.path("by").asText(), ended.toString());
    }

    @Test
    void phoneHangsUp() {
        String callId = invitePhone(Sdp.browserOffer(Sdp.newUfrag()));
        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        phone.awaitRequest("ACK", invite.callId(), WAIT);

        phone.bye(invite.callId());
        PhoneEvent.Response ok = phone.awaitResponse(invite.callId(), 200, WAIT);
        assertEquals("BYE", ok.method());
        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals("remote", ended.path("by").asText(), ended.toString());
    }

    @Test
    void browserHangsUp() {
        String callId = invitePhone(Sdp.browserOffer(Sdp.newUfrag()));
        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        phone.awaitRequest("ACK", invite.callId(), WAIT);

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        phone.awaitRequest("BYE", invite.callId(), WAIT);
        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals("local", ended.path("by").asText(), ended.toString());
    }
}
