package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code call.update} both ways: the browser's new offer as a re-INVITE, the phone's re-INVITE as
 * the gateway's {@code call.update} request, glare, and web-to-web.
 */
class CallUpdateIT {

    /** Short, so that the test of a browser that never answers does not wait long. */
    private static final int UPDATE_TIMEOUT_SECONDS = 2;

    private static GatewayHarness gateway;
    private SipPhone phone;
    private WsClient alice;
    private WsClient bob;

    @BeforeAll
    static void startGateway() {
        gateway = GatewayHarness.withSections("session:\n  updateTimeout: " + UPDATE_TIMEOUT_SECONDS + "\n");
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    @BeforeEach
    void peers() {
        phone = SipPhone.start();
        alice = gateway.login("alice-token");
        bob = gateway.login("bob-token");
    }

    @AfterEach
    void stopPeers() {
        alice.close();
        bob.close();
        phone.close();
    }

    /** Alice calls the phone, which answers; returns the gateway call id and the SIP Call-ID. */
    private String[] aliceCallsThePhone(String offer) {
        String callId = alice.callOk("call.invite", params().put("to", phone.uri()).put("sdp", offer), WAIT)
                .path("callId").asText();
        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        phone.awaitRequest("ACK", invite.callId(), WAIT);
        return new String[] {callId, invite.callId()};
    }

    private PhoneEvent.Request reInvite(String sipCallId, long cseq) {
        return (PhoneEvent.Request) phone.await(e -> e instanceof PhoneEvent.Request r && r.method().equals("INVITE")
                && r.callId().equals(sipCallId) && r.cseq() == cseq, WAIT, "re-INVITE with CSeq " + cseq);
    }

    private static ObjectNode update(String callId, String sdp) {
        return params().put("callId", callId).put("sdp", sdp);
    }

    /** The client's response to a request of the gateway. */
    private static void reply(WsClient client, JsonNode request, String resultOrError) {
        client.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + "," + resultOrError + "}");
    }

    @Test
    void holdAndResumeFromTheBrowserAreReInvitesWhoseAnswersComeBack() {
        String offer = Sdp.browserOffer(Sdp.newUfrag());
        String[] call = aliceCallsThePhone(offer);

        String hold = Sdp.nextVersion(offer).replace("a=sendrecv", "a=sendonly");
        JsonNode held = alice.callOk("call.update", update(call[0], hold), WAIT);
        PhoneEvent.Request re = reInvite(call[1], 2);
        assertTrue(re.body().contains("a=sendonly"), "the re-INVITE does not put the phone on hold: " + re.raw());
        assertTrue(held.path("sdp").asText().contains("a=recvonly"), "the answer does not accept the hold: " + held);
        assertTrue(held.path("sdp").asText().contains("m=audio " + phone.rtpPort() + " "), held.toString());
        assertEquals(2, phone.awaitRequest("ACK", call[1], WAIT).cseq(), "the 2xx to the re-INVITE is ACKed");

        String resume = Sdp.nextVersion(Sdp.nextVersion(offer));
        JsonNode resumed = alice.callOk("call.update", update(call[0], resume), WAIT);
        assertTrue(reInvite(call[1], 3).body().contains("a=sendrecv"));
        assertTrue(resumed.path("sdp").asText().contains("a=sendrecv"), resumed.toString());

        alice.callOk("call.hangup", params().put("callId", call[0]), WAIT);
        phone.awaitRequest("BYE", call[1], WAIT);
    }

    @Test
    void glareIsResolvedByTheBackOffAndTheRetry() {
        String offer = Sdp.browserOffer(Sdp.newUfrag());
        String[] call = aliceCallsThePhone(offer);
        phone.refuseReInvites(new SipPhone.ReInviteRefusal(491, 1));

        long start = System.nanoTime();
        JsonNode held = alice.callOk("call.update", update(call[0], Sdp.nextVersion(offer).replace("a=sendrecv", "a=sendonly")), WAIT);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        reInvite(call[1], 2);
        assertTrue(reInvite(call[1], 3).body().contains("a=sendonly"), "the retry carries the same offer");
        assertTrue(held.path("sdp").asText().contains("a=recvonly"), held.toString());
        // The gateway sent the first INVITE, so it owns the Call-ID: 2.1 to 4 s (RFC 3261 §14.1).
        assertTrue(tookMillis >= 2100, "retried after " + tookMillis + " ms");

        alice.callOk("call.hangup", params().put("callId", call[0]), WAIT);
        phone.awaitRequest("BYE", call[1], WAIT);
    }

    @Test
    void aReInviteTheBrowserCannotUseFailsAndTheCallStaysUp() {
        String offer = Sdp.browserOffer(Sdp.newUfrag());
        String[] call = aliceCallsThePhone(offer);
        phone.refuseReInvites(new SipPhone.ReInviteRefusal(488, 1));
        RpcReply refused = alice.call("call.update", update(call[0], Sdp.nextVersion(offer).replace("a=sendrecv", "a=sendonly")), WAIT);
        assertEquals(488, refused.errorCode(), String.valueOf(refused.message()));

        // The session in force is unchanged: the next offer is checked against it, and goes through.
        JsonNode held = alice.callOk("call.update", update(call[0], Sdp.nextVersion(offer).replace("a=sendrecv", "a=inactive")), WAIT);
        assertTrue(held.path("sdp").asText().contains("a=inactive"), held.toString());
        alice.callOk("call.hangup", params().put("callId", call[0]), WAIT);
        phone.awaitRequest("BYE", call[1], WAIT);
    }

    @Test
    void thePhonesNewOfferIsAnsweredByTheBrowser() {
        String sipCallId = phone.call("sip:bob@localhost", "127.0.0.1", gateway.sipPort(), phone.sdp());
        JsonNode incoming = bob.awaitEvent("call.incoming", p -> true, WAIT);
        String callId = incoming.path("callId").asText();
        bob.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        phone.awaitResponse(sipCallId, 200, WAIT);
        bob.awaitCallEvent("call.confirmed", callId, WAIT);

        phone.reInvite(sipCallId, Sdp.nextVersion(phone.sdp()).replace("a=sendrecv", "a=sendonly"));
        JsonNode request = bob.awaitServerRequest("call.update", WAIT);
        assertEquals(callId, request.path("params").path("callId").asText(), request.toString());
        String remoteOffer = request.path("params").path("sdp").asText();
        assertTrue(remoteOffer.contains("a=sendonly"), remoteOffer);
        String answer = Sdp.answer(remoteOffer, 50_000, Sdp.newUfrag());
        reply(bob, request, "\"result\":{\"sdp\":" + WsClient.json().valueToTree(answer) + "}");
        PhoneEvent.Response ok = phone.awaitResponse(sipCallId, 200, WAIT);
        assertEquals("INVITE", ok.method());
        assertTrue(ok.body().contains("a=recvonly") && ok.body().contains("m=audio 50000 "), ok.raw());

        // The browser refuses the next one: 488, and the call stays up.
        phone.reInvite(sipCallId, Sdp.nextVersion(Sdp.nextVersion(phone.sdp())));
        reply(bob, bob.awaitServerRequest("call.update", WAIT), "\"error\":{\"code\":488,\"message\":\"not now\"}");
        phone.awaitResponse(sipCallId, 488, WAIT);

        // The browser does not answer at all: 500 with Retry-After once session.updateTimeout passed.
        phone.reInvite(sipCallId, Sdp.nextVersion(Sdp.nextVersion(phone.sdp())));
        bob.awaitServerRequest("call.update", WAIT);
        PhoneEvent.Response late = phone.awaitResponse(sipCallId, 500, WAIT);
        assertTrue(late.raw().contains("Retry-After"), late.raw());

        bob.callOk("call.hangup", params().put("callId", callId), WAIT);
        phone.awaitRequest("BYE", sipCallId, WAIT);
    }

    @Test
    void webToWebUpdateIsRelayedToTheOtherBrowser() throws Exception {
        String offer = Sdp.browserOffer(Sdp.newUfrag());
        String callId = alice.callOk("call.invite", params().put("to", "bob").put("sdp", offer), WAIT).path("callId").asText();
        JsonNode incoming = bob.awaitCallEvent("call.incoming", callId, WAIT);
        bob.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_002, Sdp.newUfrag())), WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);

        CompletableFuture<RpcReply> held = alice.call("call.update", update(callId, Sdp.nextVersion(offer).replace("a=sendrecv", "a=sendonly")));
        JsonNode request = bob.awaitServerRequest("call.update", WAIT);
        assertEquals(callId, request.path("params").path("callId").asText());
        // One exchange at a time (RFC 3264 §4): Bob's own offer meanwhile is refused with 491.
        assertEquals(491, bob.call("call.update", update(callId, offer), WAIT).errorCode());
        String answer = Sdp.answer(request.path("params").path("sdp").asText(), 50_002, Sdp.newUfrag());
        reply(bob, request, "\"result\":{\"sdp\":" + WsClient.json().valueToTree(answer) + "}");
        RpcReply reply = held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(reply.result().path("sdp").asText().contains("a=recvonly"), reply.toString());

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        bob.awaitCallEvent("call.ended", callId, WAIT);
    }

    @Test
    void updateOfAnUnknownOrUnansweredCallIsRefused() {
        assertEquals(404, alice.call("call.update", update("no-such-call", Sdp.browserOffer(Sdp.newUfrag())), WAIT).errorCode());
        phone.behave(new SipPhone.Behaviour.RingForever());
        String offer = Sdp.browserOffer(Sdp.newUfrag());
        String callId = alice.callOk("call.invite", params().put("to", phone.uri()).put("sdp", offer), WAIT).path("callId").asText();
        phone.awaitCall(WAIT);
        assertEquals(400, alice.call("call.update", update(callId, Sdp.nextVersion(offer)), WAIT).errorCode());
        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
    }
}
