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

/** A 3xx to the gateway's INVITE is followed to the Contact, within the caller's dial plan. */
class RedirectIT {

    private static GatewayHarness gateway;
    private SipPhone first;
    private SipPhone second;

    @BeforeAll
    static void startGateway() {
        gateway = GatewayHarness.start();
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    @BeforeEach
    void phones() {
        first = SipPhone.start();
        second = SipPhone.start();
    }

    @AfterEach
    void stopPhones() {
        first.close();
        second.close();
    }

    private static String invite(WsClient client, String to) {
        return client.callOk("call.invite", params().put("to", to).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT)
                .path("callId").asText();
    }

    private static long invites(SipPhone phone) {
        return phone.events().stream().filter(e -> e instanceof PhoneEvent.Request r && r.method().equals("INVITE")).count();
    }

    @Test
    void aMovedPhoneIsReachedAtItsContact() {
        first.behave(new SipPhone.Behaviour.Redirect(302, List.of(second.uri())));
        second.behave(new SipPhone.Behaviour.RingThenAnswer(java.time.Duration.ofMillis(200)));
        try (WsClient alice = gateway.login("alice-token")) {
            String callId = invite(alice, first.uri());
            PhoneEvent.Request redirected = first.awaitCall(WAIT);
            first.awaitRequest("ACK", redirected.callId(), WAIT);
            PhoneEvent.Request reached = second.awaitCall(WAIT);
            assertTrue(reached.raw().startsWith("INVITE " + second.uri()), reached.raw());
            JsonNode progress = alice.awaitCallEvent("call.progress", callId, WAIT);
            assertEquals(180, progress.path("code").asInt(), progress.toString());
            JsonNode accepted = alice.awaitCallEvent("call.accepted", callId, WAIT);
            assertTrue(accepted.path("sdp").asText().contains("m=audio " + second.rtpPort() + " "), accepted.toString());
            second.awaitRequest("ACK", reached.callId(), WAIT);

            alice.callOk("call.hangup", params().put("callId", callId), WAIT);
            second.awaitRequest("BYE", reached.callId(), WAIT);
            alice.awaitCallEvent("call.ended", callId, WAIT);
            assertTrue(alice.events().stream().noneMatch(e -> e.path("method").asText().equals("call.ended")
                    && e.path("params").path("code").asInt() == 302), "the browser never sees the 302: " + alice.events());
            Events.assertSeqIncreasesByOne(alice.events());
        }
    }

    @Test
    void aRedirectToADeniedDestinationIs403AndGoesNowhere() {
        // Carol's dial plan denies sip:*@premium.example.com: the gateway never sends an INVITE there.
        first.behave(new SipPhone.Behaviour.Redirect(302, List.of("sip:rich@premium.example.com")));
        try (WsClient carol = gateway.login("carol-token")) {
            String callId = invite(carol, first.uri());
            first.awaitCall(WAIT);
            JsonNode ended = carol.awaitCallEvent("call.ended", callId, WAIT);
            assertEquals(403, ended.path("code").asInt(), ended.toString());
            assertEquals("gateway", ended.path("by").asText(), ended.toString());
        }
    }

    @Test
    void aRedirectLoopEndsWithTheRedirectItself() {
        first.behave(new SipPhone.Behaviour.Redirect(302, List.of(second.uri())));
        second.behave(new SipPhone.Behaviour.Redirect(302, List.of(first.uri(), second.uri())));
        try (WsClient alice = gateway.login("alice-token")) {
            String callId = invite(alice, first.uri());
            JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
            assertEquals(302, ended.path("code").asInt(), ended.toString());
            assertEquals(1, invites(first), "the first phone is not called twice: " + first.events());
            assertEquals(1, invites(second), "the second phone is not called twice: " + second.events());
        }
    }
}
