package dev.passerelle.it;

import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.Baresip;
import dev.passerelle.peers.Kamailio;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Rtpengine;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web user registered at a real Kamailio (digest registrar, record-routing proxy, session
 * timers) calls a real baresip through it, media anchored by a real rtpengine, and is called
 * back: the INVITE challenged once, the session refreshed across Kamailio, hold and resume, DTMF
 * as INFO, and a blind transfer that baresip carries out. Debian packages {@code kamailio},
 * {@code baresip} and {@code rtpengine-daemon}; only with {@code -Pinterop}.
 */
class KamailioBaresipInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String DOMAIN = "passerelle.test";

    @TempDir
    Path dir;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Kamailio kamailio;
    private Baresip baresip;
    private GatewayHarness gateway;

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** Kamailio with session timers down to 4 s, baresip, and a gateway refreshing every few seconds. */
    private WsClient start() throws Exception {
        String template;
        try (InputStream in = KamailioBaresipInteropIT.class.getResourceAsStream("/kamailio/kamailio.cfg")) {
            assertNotNull(in, "kamailio/kamailio.cfg is missing from the test resources");
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("modparam(\"sst\", \"min_se\", 90)", "modparam(\"sst\", \"min_se\", 4)");
        }
        kamailio = Kamailio.start(template, dir, DOMAIN, "MD5", Map.of("alice", "alice-pw"));
        closeables.add(kamailio);
        baresip = Baresip.start(dir.resolve("baresip"));
        closeables.add(baresip);
        // The browser's WebRTC offer reaches baresip as plain RTP through rtpengine.
        Rtpengine rtpengine = Rtpengine.start(dir);
        closeables.add(rtpengine);
        // sip.dtmf: info, so that the DTMF step below proves the INFO path through Kamailio.
        gateway = GatewayHarness.withRegistrar(kamailio.registrarUri(), kamailio.uri(), DOMAIN, """
                  dtmf: info
                  sessionTimer:
                    expires: 8
                    minSE: 4
                """, """
                media:
                  anchor: rtpengine
                  rtpengine:
                    ng: "%s"
                """.formatted(rtpengine.ngUri()));
        closeables.add(gateway);
        WsClient alice = gateway.login("alice-token");
        closeables.add(alice);
        assertEquals("registered", alice.awaitEvent("registration.state", p -> true, WAIT).path("state").asText());
        return alice;
    }

    @Test
    void aWebUserCallsBaresipThroughKamailioHoldsSendsDtmfRefreshesAndTransfers() throws Exception {
        WsClient alice = start();
        String offer = Sdp.browserOffer(Sdp.newUfrag());
        String callId = alice.callOk("call.invite", params().put("to", baresip.sipUri()).put("sdp", offer), WAIT)
                .path("callId").asText();

        // Challenged once by the proxy (407), answered with alice's credentials, relayed to baresip.
        kamailio.await(l -> l.contains("KAM challenge INVITE"), WAIT, "the 407 to the first INVITE");
        String answered = kamailio.await(l -> l.contains("KAM INVITE") && l.contains("pau=[Digest"), WAIT,
                "the INVITE with credentials");
        String sipCallId = callIdOf(answered);
        JsonNode accepted = alice.awaitCallEvent("call.accepted", callId, WAIT);
        assertTrue(accepted.path("sdp").asText().contains("m=audio"), accepted.toString());
        baresip.await("CALL_ESTABLISHED", WAIT);

        // Hold and resume: re-INVITEs through the record-routed Kamailio, answered by baresip.
        String held = alice.callOk("call.update", params().put("callId", callId)
                .put("sdp", Sdp.nextVersion(offer).replace("a=sendrecv", "a=sendonly")), WAIT)
                .path("sdp").asText();
        assertTrue(held.contains("a=recvonly") || held.contains("a=inactive"), "baresip's answer to hold: " + held);
        kamailio.await(l -> l.contains("KAM INVITE") && l.contains("ci=" + sipCallId + " ") && !l.contains("cs=1 "),
                WAIT, "the hold re-INVITE at Kamailio");
        String resumed = alice.callOk("call.update", params().put("callId", callId)
                .put("sdp", Sdp.nextVersion(Sdp.nextVersion(offer))), WAIT).path("sdp").asText();
        assertTrue(!resumed.contains("a=recvonly") && !resumed.contains("a=inactive"), "resumed: " + resumed);
        kamailio.await(l -> l.contains("KAM INVITE") && l.contains("ci=" + sipCallId + " ") && !l.contains("cs=1 "),
                WAIT, "the resume re-INVITE at Kamailio");

        // DTMF as SIP INFO (application/dtmf-relay), through Kamailio to baresip.
        alice.callOk("call.dtmf", params().put("callId", callId).put("tones", "5"), WAIT);
        kamailio.await(l -> l.contains("KAM INFO") && l.contains("ci=" + sipCallId + " "), WAIT, "the INFO at Kamailio");
        Baresip.Event dtmf = baresip.await("CALL_DTMF_START", WAIT);
        assertEquals("5", dtmf.param(), dtmf.json());

        // RFC 4028: the session is refreshed (UPDATE or re-INVITE carrying Session-Expires) across
        // Kamailio within the interval; the hold and resume re-INVITEs were taken above.
        kamailio.await(l -> (l.contains("KAM UPDATE") || l.contains("KAM INVITE"))
                && l.contains("ci=" + sipCallId + " ") && !l.contains("cs=1 ") && !l.contains("se=[<null>]"),
                Duration.ofSeconds(12), "a session refresh at Kamailio");

        // Blind transfer: REFER through Kamailio; baresip calls the target and reports with NOTIFY.
        try (SipPhone target = SipPhone.start()) {
            target.behave(new SipPhone.Behaviour.Answer());
            alice.callOk("call.transfer", params().put("callId", callId).put("to", target.uri()), WAIT);
            kamailio.await(l -> l.contains("KAM REFER") && l.contains("ci=" + sipCallId + " "), WAIT, "the REFER");
            PhoneEvent.Request invite = target.awaitCall(WAIT);
            assertTrue(invite.raw().contains("baresip"), "the transfer target is called by baresip: " + invite.raw());
            JsonNode done = alice.awaitEvent("call.transferred",
                    p -> p.path("callId").asText().equals(callId) && p.path("status").asInt() == 200, WAIT);
            assertEquals(target.uri(), done.path("to").asText(), done.toString());
            JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
            assertEquals("transferred", ended.path("reason").asText(), ended.toString());
        }
    }

    @Test
    void baresipCallsTheWebUserThroughKamailio() throws Exception {
        WsClient alice = start();
        baresip.dial("sip:alice@127.0.0.1:" + kamailio.port());
        JsonNode incoming = alice.awaitEvent("call.incoming", p -> true, WAIT);
        String callId = incoming.path("callId").asText();
        assertTrue(incoming.path("from").asText().contains("baresip"), incoming.toString());
        alice.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        alice.awaitCallEvent("call.confirmed", callId, WAIT);
        baresip.await("CALL_ESTABLISHED", WAIT);
        baresip.hangup();
        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals("remote", ended.path("by").asText(), ended.toString());
        kamailio.await(l -> l.contains("KAM BYE"), WAIT, "the BYE through Kamailio");
    }

    private static String callIdOf(String line) {
        int at = line.indexOf(" ci=");
        return line.substring(at + 4, line.indexOf(' ', at + 4));
    }
}
