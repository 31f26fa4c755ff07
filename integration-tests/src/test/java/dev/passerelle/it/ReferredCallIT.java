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
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A phone transfers the web user (REFER): the browser hears {@code call.referred}, places the new
 * call with {@code referredBy}, and the phone follows it through sipfrag NOTIFYs (RFC 3515).
 */
class ReferredCallIT {

    private static GatewayHarness gateway;
    private SipPhone transferor;
    private SipPhone target;
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
        transferor = SipPhone.start();
        target = SipPhone.start();
        alice = gateway.login("alice-token");
    }

    @AfterEach
    void stopPeers() {
        alice.close();
        transferor.close();
        target.close();
    }

    private PhoneEvent.Request notifyWith(String statusLine) {
        return (PhoneEvent.Request) transferor.await(e -> e instanceof PhoneEvent.Request r && r.method().equals("NOTIFY")
                && r.body().startsWith(statusLine), WAIT, "NOTIFY " + statusLine);
    }

    @Test
    void theReferredCallIsPlacedAndReportedToTheTransferor() {
        String callId = alice.callOk("call.invite", params().put("to", transferor.uri())
                .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
        PhoneEvent.Request invite = transferor.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        transferor.awaitRequest("ACK", invite.callId(), WAIT);

        transferor.request(invite.callId(), "REFER", null, null, "Refer-To: <" + target.uri() + ">",
                "Referred-By: <sip:transferor@127.0.0.1>");
        transferor.awaitResponse(invite.callId(), 202, WAIT);
        PhoneEvent.Request trying = notifyWith("SIP/2.0 100");
        assertTrue(trying.raw().contains("Subscription-State: active"), trying.raw());
        JsonNode referred = alice.awaitCallEvent("call.referred", callId, WAIT);
        assertEquals(target.uri(), referred.path("to").asText(), referred.toString());
        assertEquals("sip:transferor@127.0.0.1", referred.path("referredBy").asText(), referred.toString());

        assertEquals(404, alice.call("call.invite", params().put("to", target.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag()))
                .put("referredBy", "no-such-call"), WAIT).errorCode());

        target.behave(new SipPhone.Behaviour.RingThenAnswer(Duration.ofMillis(300)));
        String newCallId = alice.callOk("call.invite", params().put("to", referred.path("to").asText())
                .put("sdp", Sdp.browserOffer(Sdp.newUfrag())).put("referredBy", callId), WAIT).path("callId").asText();
        target.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", newCallId, WAIT);
        notifyWith("SIP/2.0 180");
        PhoneEvent.Request done = notifyWith("SIP/2.0 200");
        assertTrue(done.raw().contains("Subscription-State: terminated"), done.raw());

        // RFC 5589 §6.1: the transferor leaves; the browser keeps the new call.
        transferor.bye(invite.callId());
        alice.awaitCallEvent("call.ended", callId, WAIT);
        alice.callOk("call.hangup", params().put("callId", newCallId), WAIT);
        alice.awaitCallEvent("call.ended", newCallId, WAIT);
        Events.assertSeqIncreasesByOne(alice.events());
    }

    @Test
    void aFailedReferredCallIsReportedWithItsStatus() {
        String callId = alice.callOk("call.invite", params().put("to", transferor.uri())
                .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
        PhoneEvent.Request invite = transferor.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        transferor.awaitRequest("ACK", invite.callId(), WAIT);

        transferor.request(invite.callId(), "REFER", null, null, "Refer-To: <" + target.uri() + ">");
        JsonNode referred = alice.awaitCallEvent("call.referred", callId, WAIT);
        target.behave(new SipPhone.Behaviour.Reject(486));
        String newCallId = alice.callOk("call.invite", params().put("to", referred.path("to").asText())
                .put("sdp", Sdp.browserOffer(Sdp.newUfrag())).put("referredBy", callId), WAIT).path("callId").asText();
        assertEquals(486, alice.awaitCallEvent("call.ended", newCallId, WAIT).path("code").asInt());
        PhoneEvent.Request busy = notifyWith("SIP/2.0 486");
        assertTrue(busy.raw().contains("Subscription-State: terminated"), busy.raw());

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        transferor.awaitRequest("BYE", invite.callId(), WAIT);
    }
}
