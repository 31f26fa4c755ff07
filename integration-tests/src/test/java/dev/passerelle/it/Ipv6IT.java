package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SIP over IPv6 (RFC 5118): a gateway listening on ::1 calls, and is called by, a phone on ::1. */
class Ipv6IT {

    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.withSip(null, "  host: \"::1\"\n");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aBrowserCallsAnIpv6Phone() {
        try (SipPhone phone = SipPhone.startOn("::1", SipPhone.Transport.UDP);
                WsClient alice = gateway.login("alice-token")) {
            String callId = alice.callOk("call.invite", params().put("to", phone.uri())
                    .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
            PhoneEvent.Request invite = phone.awaitCall(WAIT);
            // RFC 5118 §4.1: IPv6 references in brackets, in the Via and the Contact alike.
            assertTrue(invite.raw().contains("Via: SIP/2.0/UDP [::1]:" + gateway.sipPort()), invite.raw());
            assertTrue(invite.raw().contains("Contact: <sip:[::1]:" + gateway.sipPort()), invite.raw());
            alice.awaitCallEvent("call.accepted", callId, WAIT);
            phone.awaitRequest("ACK", invite.callId(), WAIT);
            alice.callOk("call.hangup", params().put("callId", callId), WAIT);
            phone.awaitRequest("BYE", invite.callId(), WAIT);
        }
    }

    @Test
    void anIpv6PhoneCallsABrowser() {
        try (SipPhone phone = SipPhone.startOn("::1", SipPhone.Transport.TCP);
                WsClient bob = gateway.login("bob-token")) {
            String sipCallId = phone.call("sip:bob@localhost", "::1", gateway.sipPort(), phone.sdp());
            JsonNode incoming = bob.awaitEvent("call.incoming", p -> true, WAIT);
            String callId = incoming.path("callId").asText();
            bob.callOk("call.answer", params().put("callId", callId)
                    .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
            PhoneEvent.Response ok = phone.awaitResponse(sipCallId, 200, WAIT);
            assertTrue(ok.raw().contains("Contact: <sip:[::1]:" + gateway.sipPort() + ";transport=tcp>"), ok.raw());
            bob.awaitCallEvent("call.confirmed", callId, WAIT);
            phone.bye(sipCallId);
            bob.awaitCallEvent("call.ended", callId, WAIT);
        }
    }
}
