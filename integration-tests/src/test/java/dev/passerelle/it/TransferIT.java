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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code call.transfer}: a blind transfer of a phone by REFER, its NOTIFYs as {@code call.transferred}. */
class TransferIT {

    private static final String ZOE = "sip:zoe@192.0.2.10:5999";

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
        phone.behave(new SipPhone.Behaviour.Answer());
        alice = gateway.login("alice-token");
    }

    @AfterEach
    void stopPeers() {
        alice.close();
        phone.close();
    }

    /** An answered call from alice to the phone: the gateway's call id and the phone's INVITE. */
    private String[] answeredCall() {
        String callId = alice.callOk("call.invite", params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())),
                WAIT).path("callId").asText();
        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        phone.awaitRequest("ACK", invite.callId(), WAIT);
        return new String[] {callId, invite.callId()};
    }

    private void sipfrag(String phoneCallId, String statusLine, String state) {
        phone.request(phoneCallId, "NOTIFY", "message/sipfrag", statusLine + "\r\n", "Event: refer",
                "Subscription-State: " + state);
    }

    private JsonNode transferred(String callId, int status) {
        return alice.awaitEvent("call.transferred", p -> p.path("callId").asText().equals(callId)
                && p.path("status").asInt() == status, WAIT);
    }

    @Test
    void blindTransferReportsEachStepThenEndsTheCall() {
        phone.answerRefersWith(202);
        String[] call = answeredCall();
        alice.callOk("call.transfer", params().put("callId", call[0]).put("to", ZOE), WAIT);
        PhoneEvent.Request refer = phone.awaitRequest("REFER", call[1], WAIT);
        assertTrue(refer.raw().contains("Refer-To: <" + ZOE + ">"), refer.raw());
        assertTrue(refer.raw().contains("Referred-By: <sip:alice@"), refer.raw());
        assertEquals(ZOE, transferred(call[0], 202).path("to").asText());

        sipfrag(call[1], "SIP/2.0 100 Trying", "active;expires=60");
        transferred(call[0], 100);
        phone.awaitResponse(call[1], 200, WAIT);
        sipfrag(call[1], "SIP/2.0 200 OK", "terminated;reason=noresource");
        transferred(call[0], 200);
        // RFC 5589 §6.1: the transferor leaves once the transfer succeeded.
        phone.awaitRequest("BYE", call[1], WAIT);
        JsonNode ended = alice.awaitCallEvent("call.ended", call[0], WAIT);
        assertEquals("transferred", ended.path("reason").asText(), ended.toString());
        assertEquals("local", ended.path("by").asText(), ended.toString());
        Events.assertSeqIncreasesByOne(alice.events());
    }

    @Test
    void aFailedTransferLeavesTheCallUp() {
        phone.answerRefersWith(202);
        String[] call = answeredCall();
        alice.callOk("call.transfer", params().put("callId", call[0]).put("to", ZOE), WAIT);
        phone.awaitRequest("REFER", call[1], WAIT);
        sipfrag(call[1], "SIP/2.0 486 Busy Here", "terminated;reason=noresource");
        transferred(call[0], 486);

        // A phone that refuses REFER: the refusal is the outcome. A web user is referred to at the
        // gateway's own SIP address, which the phone can reach.
        phone.answerRefersWith(603);
        alice.callOk("call.transfer", params().put("callId", call[0]).put("to", "bob"), WAIT);
        PhoneEvent.Request toBob = (PhoneEvent.Request) phone.await(e -> e instanceof PhoneEvent.Request r
                && r.method().equals("REFER") && r.raw().contains("sip:bob@"), WAIT, "REFER to bob");
        assertTrue(toBob.raw().contains("Refer-To: <sip:bob@127.0.0.1:"), toBob.raw());
        transferred(call[0], 603);

        alice.callOk("call.hangup", params().put("callId", call[0]), WAIT);
        phone.awaitRequest("BYE", call[1], WAIT);
        assertEquals(200, alice.awaitCallEvent("call.ended", call[0], WAIT).path("code").asInt());
    }

    @Test
    void transferIsRefusedWhereItCannotGo() {
        String[] call = answeredCall();
        RpcReply unknown = alice.call("call.transfer", params().put("callId", call[0]).put("to", "nobody-here"), WAIT);
        assertEquals(404, unknown.errorCode(), unknown.toString());
        assertEquals(404, alice.call("call.transfer", params().put("callId", "no-call").put("to", ZOE), WAIT).errorCode());
        assertEquals(-32602, alice.call("call.transfer", params().put("callId", call[0]), WAIT).errorCode());
        alice.callOk("call.hangup", params().put("callId", call[0]), WAIT);
        phone.awaitRequest("BYE", call[1], WAIT);

        // Carol's dial plan denies premium numbers: she cannot transfer there either.
        try (WsClient carol = gateway.login("carol-token")) {
            String callId = carol.callOk("call.invite", params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())),
                    WAIT).path("callId").asText();
            carol.awaitCallEvent("call.accepted", callId, WAIT);
            RpcReply denied = carol.call("call.transfer", params().put("callId", callId).put("to", "+33912345678"), WAIT);
            assertEquals(403, denied.errorCode(), denied.toString());
            carol.callOk("call.hangup", params().put("callId", callId), WAIT);
            carol.awaitCallEvent("call.ended", callId, WAIT);
        }
        assertTrue(phone.events().stream().noneMatch(e -> e instanceof PhoneEvent.Request r && r.method().equals("REFER")),
                "no REFER reached the phone: " + phone.events());
    }
}
