package dev.passerelle.it;

import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.sdp.MediaSection;
import dev.passerelle.gateway.sdp.SdpParser;
import dev.passerelle.peers.Browser;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Rtpengine;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.RtpPhoneMedia;
import dev.passerelle.peers.RtpPhoneMedia.EventPacket;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code call.dtmf} towards a SIP phone through a real rtpengine (Debian package
 * rtpengine-daemon): as RFC 4733 telephone-events that rtpengine plays into the phone's RTP when
 * the phone agreed on telephone-event, as INFO otherwise ({@code sip.dtmf: auto}); and what
 * {@code sip.dtmf: rfc4733} answers when the events cannot go. The phone is a JAIN-SIP
 * {@link SipPhone} whose media is a real UDP socket the test reads ({@link RtpPhoneMedia}). For the
 * events themselves the browser is a real headless Chromium on the demo page (Debian packages
 * chromium, chromium-driver): rtpengine times injected events on the media it relays from the
 * browser, so it needs that media flowing.
 */
class DtmfInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PC = "window.passerelle.currentCall.pc";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Rtpengine rtpengine;

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /**
     * The phone calls alice, who answers on the page; her {@code 5#} reaches the phone as RFC 4733
     * events (RFC 4733 §2.3): event 5 then event 11, each ending with E-bit packets, in the payload
     * type the phone gave telephone-event; and no INFO.
     */
    @Test
    void tonesFromTheBrowserReachThePhoneAsRfc4733Events() throws Exception {
        GatewayHarness gateway = gateway("");
        Browser browser = open(Browser.start());
        browser.open("http://127.0.0.1:" + gateway.gateway().webSocketPort() + "/");
        browser.fill("token", "alice-token");
        browser.click("login");
        browser.awaitText("identity", s -> s.startsWith("alice "), WAIT, "login as alice");
        SipPhone phone = open(SipPhone.start());
        RtpPhoneMedia media = open(RtpPhoneMedia.open());

        String sipCallId = phone.call("sip:alice@localhost", "127.0.0.1", gateway.sipPort(), media.sdp(true));
        browser.awaitText("state", "ringing", WAIT);
        browser.click("answer");
        browser.awaitText("state", "active", WAIT);
        PhoneEvent.Response ok = phone.awaitResponse(sipCallId, 200, WAIT);
        media.sendSilenceTo(mediaAddress(ok.body()));
        browser.awaitAudioFlowing(PC, 25, WAIT, "alice");

        browser.await("await window.passerelle.currentCall.sendDtmf('5#'); return true;");

        List<EventPacket> packets;
        try {
            packets = media.awaitEndedEvents(2, WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nrtpengine:\n" + rtpengine.log(), e);
        }
        Map<Long, Integer> eventByStart = new LinkedHashMap<>();
        for (EventPacket p : packets) {
            assertEquals(RtpPhoneMedia.TELEPHONE_EVENT_PT, p.payloadType());
            Integer before = eventByStart.putIfAbsent(p.timestamp(), p.event());
            assertTrue(before == null || before == p.event(),
                    "one event per timestamp (RFC 4733 §2.3): " + packets);
        }
        List<Long> starts = eventByStart.keySet().stream().sorted().toList();
        assertEquals(List.of(5, 11), starts.stream().map(eventByStart::get).toList(),
                "5 then # (event 11), in that order on the RTP clock: " + packets);
        assertTrue(packets.stream().anyMatch(p -> p.event() == 5 && p.end())
                && packets.stream().anyMatch(p -> p.event() == 11 && p.end()), "each event ends: " + packets);
        assertTrue(phone.events().stream().noneMatch(e -> e instanceof PhoneEvent.Request r
                && r.method().equals("INFO")), "no INFO besides the events: " + phone.events());

        browser.click("hangup");
        phone.awaitRequest("BYE", sipCallId, WAIT);
    }

    /** {@code auto}: a phone whose SDP has no telephone-event gets the tones as INFO, in order. */
    @Test
    void aPhoneWithoutTelephoneEventGetsInfo() throws Exception {
        GatewayHarness gateway = gateway("");
        SipPhone phone = open(SipPhone.start());
        RtpPhoneMedia media = open(RtpPhoneMedia.open());
        Call call = phoneCallsAlice(gateway, phone, media.sdp(false));

        call.alice.callOk("call.dtmf", params().put("callId", call.callId).put("tones", "5#"), WAIT);
        assertInfos(phone, call.sipCallId, "5", "#");
        assertTrue(media.events().isEmpty(), "no RFC 4733 events: " + media.events());
    }

    /**
     * {@code auto}: the phone agreed on telephone-event but no media came from the browser yet,
     * so rtpengine refuses to play ("No SSRC context"): the tones go as INFO instead.
     */
    @Test
    void rtpengineRefusingTheEventsFallsBackToInfo() throws Exception {
        GatewayHarness gateway = gateway("");
        SipPhone phone = open(SipPhone.start());
        RtpPhoneMedia media = open(RtpPhoneMedia.open());
        Call call = phoneCallsAlice(gateway, phone, media.sdp(true));

        call.alice.callOk("call.dtmf", params().put("callId", call.callId).put("tones", "5#"), WAIT);
        assertInfos(phone, call.sipCallId, "5", "#");
    }

    /**
     * {@code rfc4733}: no fallback. A phone without telephone-event: 488; with it, but rtpengine
     * unable to play (no media from the browser): 503 with rtpengine's reason; no INFO either way.
     */
    @Test
    void rfc4733RefusesWhatCannotGoAsEvents() throws Exception {
        GatewayHarness gateway = gateway("  dtmf: rfc4733\n");
        SipPhone phone = open(SipPhone.start());
        RtpPhoneMedia plain = open(RtpPhoneMedia.open());
        Call without = phoneCallsAlice(gateway, phone, plain.sdp(false));
        RpcReply refused = without.alice.call("call.dtmf", params().put("callId", without.callId).put("tones", "5"), WAIT);
        assertEquals(488, refused.errorCode(), refused.toString());
        assertTrue(refused.error().path("message").asText().contains("telephone-event"), refused.toString());

        SipPhone second = open(SipPhone.start());
        RtpPhoneMedia withEvents = open(RtpPhoneMedia.open());
        Call with = phoneCallsAlice(gateway, second, withEvents.sdp(true));
        RpcReply unavailable = with.alice.call("call.dtmf", params().put("callId", with.callId).put("tones", "5"), WAIT);
        assertEquals(503, unavailable.errorCode(), unavailable.toString());
        assertTrue(unavailable.error().path("message").asText().contains("rtpengine"), unavailable.toString());

        assertTrue(phone.events().stream().noneMatch(e -> e instanceof PhoneEvent.Request r
                && r.method().equals("INFO")), phone.events().toString());
        assertTrue(second.events().stream().noneMatch(e -> e instanceof PhoneEvent.Request r
                && r.method().equals("INFO")), second.events().toString());
    }

    /**
     * The other way: RFC 4733 events the phone sends in its RTP are detected by rtpengine, whose
     * DTMF log ({@code --dtmf-log-dest}) the gateway receives on {@code media.rtpengine.dtmfEvents}
     * and turns into the {@code call.dtmf} event of that call, as it does an INFO.
     */
    @Test
    void eventsFromThePhoneReachTheBrowserAsCallDtmf() throws Exception {
        int logPort;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            logPort = probe.getLocalPort();
        }
        rtpengine = open(Rtpengine.start(dir, List.of("--dtmf-log-dest=127.0.0.1:" + logPort)));
        GatewayHarness gateway = open(GatewayHarness.withSections("""
                media:
                  anchor: rtpengine
                  rtpengine:
                    ng: "%s"
                    dtmfEvents: "udp:127.0.0.1:%d"
                """.formatted(rtpengine.ngUri(), logPort)));
        SipPhone phone = open(SipPhone.start());
        RtpPhoneMedia media = open(RtpPhoneMedia.open());
        WsClient alice = open(gateway.login("alice-token"));
        String sipCallId = phone.call("sip:alice@localhost", "127.0.0.1", gateway.sipPort(), media.sdp(true));
        JsonNode incoming = alice.awaitEvent("call.incoming", p -> true, WAIT);
        String callId = incoming.path("callId").asText();
        alice.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        InetSocketAddress rtpengineSide = mediaAddress(phone.awaitResponse(sipCallId, 200, WAIT).body());
        media.sendSilenceTo(rtpengineSide);
        media.sendEvent(rtpengineSide, 9, 8);

        JsonNode nine = alice.awaitCallEvent("call.dtmf", callId, WAIT);
        assertEquals("9", nine.path("tones").asText(), "rtpengine:\n" + rtpengine.log());
        media.sendEvent(rtpengineSide, 10, 8);
        assertEquals("*", alice.awaitEvent("call.dtmf", p -> p.path("tones").asText().equals("*"), WAIT)
                .path("tones").asText(), "event 10 is * (RFC 4733 §3.2)");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private record Call(WsClient alice, String callId, String sipCallId) {}

    /** The phone calls alice, logged in over a plain WebSocket, who answers like a browser (no media). */
    private Call phoneCallsAlice(GatewayHarness gateway, SipPhone phone, String offer) {
        WsClient alice = open(gateway.login("alice-token"));
        String sipCallId = phone.call("sip:alice@localhost", "127.0.0.1", gateway.sipPort(), offer);
        JsonNode incoming = alice.awaitEvent("call.incoming", p -> true, WAIT);
        String callId = incoming.path("callId").asText();
        alice.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        phone.awaitResponse(sipCallId, 200, WAIT);
        alice.awaitCallEvent("call.confirmed", callId, WAIT);
        return new Call(alice, callId, sipCallId);
    }

    private static void assertInfos(SipPhone phone, String sipCallId, String... tones) {
        long previous = 0;
        for (String tone : tones) {
            PhoneEvent.Request info = (PhoneEvent.Request) phone.await(e -> e instanceof PhoneEvent.Request r
                    && r.method().equals("INFO") && r.callId().equals(sipCallId)
                    && r.body().contains("Signal=" + tone + "\r\n"), WAIT, "INFO " + tone);
            assertTrue(info.cseq() > previous, "INFO " + tone + " out of order: " + phone.events());
            previous = info.cseq();
        }
    }

    /** Where rtpengine receives the phone's media: the c= and m= of the answer it wrote. */
    private static InetSocketAddress mediaAddress(String answer) {
        dev.passerelle.gateway.sdp.Sdp sdp = new SdpParser().parse(answer);
        MediaSection audio = sdp.media().get(0);
        String c = answer.lines().filter(l -> l.startsWith("c=IN IP4 ")).findFirst()
                .orElseThrow(() -> new AssertionError("no c= line: " + answer)).substring("c=IN IP4 ".length()).trim();
        return new InetSocketAddress(c, audio.port());
    }

    private GatewayHarness gateway(String sip) throws IOException, InterruptedException {
        rtpengine = open(Rtpengine.start(dir));
        return open(GatewayHarness.withRtpengine(rtpengine.ngUri(), sip));
    }

    private <T extends AutoCloseable> T open(T closeable) {
        closeables.add(closeable);
        return closeable;
    }
}
