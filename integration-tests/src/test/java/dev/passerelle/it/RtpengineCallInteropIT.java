package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Rtpengine;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls through the gateway with its media anchored in a real rtpengine (Debian package
 * rtpengine-daemon), seen from the two peers' signaling: the phone is offered and answered plain
 * RTP/AVP with none of the browser's WebRTC attributes, the browser WebRTC; and rtpengine holds
 * no call once the call has ended, whether by a hangup or by the gateway draining.
 */
class RtpengineCallInteropIT {

    private static final String[] WEBRTC_ONLY = {"a=ice-", "a=candidate", "a=fingerprint", "a=setup", "a=group",
        "a=mid", "a=extmap", "a=ssrc", "a=msid", "a=rtcp-fb", "UDP/TLS/RTP/SAVPF"};

    @TempDir
    Path dir;

    private Rtpengine rtpengine;
    private GatewayHarness gateway;
    private SipPhone phone;

    @BeforeEach
    void start() throws IOException, InterruptedException {
        rtpengine = Rtpengine.start(dir);
        gateway = GatewayHarness.withRtpengine(rtpengine.ngUri());
        phone = SipPhone.start();
    }

    @AfterEach
    void stop() {
        phone.close();
        gateway.close();
        rtpengine.close();
    }

    @Test
    void browserCallsPhoneWhichSeesPlainRtpAndTheBrowserWebRtc() throws IOException {
        WsClient alice = gateway.login("alice-token");
        String callId = alice.callOk("call.invite",
                params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();

        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        assertPlainRtp(invite.body());
        JsonNode accepted = alice.awaitCallEvent("call.accepted", callId, WAIT);
        String answer = accepted.path("sdp").asText();
        assertTrue(answer.contains("m=audio ") && answer.contains(" UDP/TLS/RTP/SAVPF ")
                && answer.contains("a=fingerprint:") && answer.contains("a=ice-ufrag:") && answer.contains("a=rtcp-mux"),
                "the browser gets the WebRTC profile: " + answer);
        assertFalse(answer.contains("m=audio " + phone.rtpPort() + " "), "the phone's own port stays hidden");
        assertTrue(held(callId), "rtpengine anchors the call");

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        phone.awaitRequest("BYE", invite.callId(), WAIT);
        assertFalse(held(callId), "hangup releases the media");
    }

    @Test
    void phoneCallsBrowserWhichGetsWebRtcAndThePhonePlainRtp() throws IOException {
        WsClient alice = gateway.login("alice-token");
        String sipCallId = phone.call("sip:alice@localhost", "127.0.0.1", gateway.sipPort(), phone.sdp());
        JsonNode incoming = alice.awaitEvent("call.incoming", p -> true, WAIT);
        String offer = incoming.path("sdp").asText();
        assertTrue(offer.contains(" UDP/TLS/RTP/SAVPF ") && offer.contains("a=setup:actpass"),
                "the browser is offered WebRTC and picks its DTLS role: " + offer);
        String callId = incoming.path("callId").asText();
        alice.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(offer, 50_000, Sdp.newUfrag())), WAIT);
        PhoneEvent.Response ok = phone.awaitResponse(sipCallId, 200, WAIT);
        assertPlainRtp(ok.body());
        alice.awaitCallEvent("call.confirmed", callId, WAIT);
        assertTrue(held(callId));

        phone.bye(sipCallId);
        alice.awaitCallEvent("call.ended", callId, WAIT);
        assertFalse(held(callId), "the phone's BYE releases the media");
    }

    @Test
    void drainReleasesTheMediaOfLiveCalls() throws IOException {
        WsClient alice = gateway.login("alice-token");
        String callId = alice.callOk("call.invite",
                params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        assertTrue(held(callId));

        gateway.gateway().drain(java.time.Duration.ofSeconds(5));
        phone.awaitRequest("BYE", invite.callId(), WAIT);
        assertFalse(held(callId), "drain ends the call and releases its media");
    }

    /**
     * Hold and resume through rtpengine: the browser's sendonly re-offer reaches the phone as a
     * plain-RTP re-INVITE still sendonly, and the phone's recvonly answer comes back in the WebRTC
     * profile.
     */
    @Test
    void holdAndResumeSurviveTheRelay() throws IOException {
        WsClient alice = gateway.login("alice-token");
        String ufrag = Sdp.newUfrag();
        String offer = Sdp.browserOffer(ufrag);
        String callId = alice.callOk("call.invite", params().put("to", phone.uri()).put("sdp", offer), WAIT)
                .path("callId").asText();
        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        phone.awaitRequest("ACK", invite.callId(), WAIT);

        String hold = offer.replaceFirst("( \\d+) IN IP4", " 3 IN IP4").replace("a=sendrecv", "a=sendonly");
        JsonNode held = alice.callOk("call.update", params().put("callId", callId).put("sdp", hold), WAIT);
        PhoneEvent.Request reInvite = (PhoneEvent.Request) phone.await(e -> e instanceof PhoneEvent.Request r
                && r.method().equals("INVITE") && r.cseq() == 2, WAIT, "re-INVITE");
        assertPlainRtp(reInvite.body());
        assertTrue(reInvite.body().contains("a=sendonly"), "the phone is put on hold: " + reInvite.body());
        String answer = held.path("sdp").asText();
        assertTrue(answer.contains(" UDP/TLS/RTP/SAVPF ") && answer.contains("a=recvonly"),
                "the browser gets the phone's hold answer in its own profile: " + answer);

        JsonNode resumed = alice.callOk("call.update", params().put("callId", callId)
                .put("sdp", hold.replaceFirst(" 3 IN IP4", " 4 IN IP4").replace("a=sendonly", "a=sendrecv")), WAIT);
        assertTrue(resumed.path("sdp").asText().contains("a=sendrecv"), resumed.toString());
        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        phone.awaitRequest("BYE", invite.callId(), WAIT);
        assertFalse(held(callId), "hangup releases the media");
    }

    private boolean held(String callId) throws IOException {
        String reply = rtpengine.query(callId);
        return reply != null && reply.contains("6:result2:ok");
    }

    private static void assertPlainRtp(String sdp) {
        assertTrue(sdp.contains(" RTP/AVP "), "plain RTP/AVP towards the phone: " + sdp);
        for (String gone : WEBRTC_ONLY) {
            assertFalse(sdp.contains(gone), gone + " reached the phone: " + sdp);
        }
    }
}
