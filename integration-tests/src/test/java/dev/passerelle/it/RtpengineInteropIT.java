package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.passerelle.connector.spi.MediaConnector.Leg;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.media.rtpengine.CallCounters;
import dev.passerelle.gateway.media.rtpengine.RtpengineAnchor;
import dev.passerelle.gateway.media.rtpengine.RtpengineSettings;
import dev.passerelle.peers.Rtpengine;
import dev.passerelle.peers.Sdp;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rtpengine anchor against a real rtpengine (Debian package {@code rtpengine-daemon}), driven
 * with an offer Chromium 156 wrote and the RTP/AVP SDP of a plain SIP phone. It checks what each
 * side is sent, in both directions of a call and for offers from either leg, that media really
 * crosses rtpengine on the plain side, and how calls are spread over several ng addresses.
 */
class RtpengineInteropIT {

    private static final Duration TRY = Duration.ofMillis(300);
    private static final int TRIES = 2;
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path workDir;

    private Rtpengine rtpengine;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startRtpengine() throws Exception {
        rtpengine = Rtpengine.start(workDir);
        closeables.add(rtpengine);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    // ---- browser calls phone (outbound) ---------------------------------------------------------

    @Test
    void browserCallsPhone() throws Exception {
        RtpengineAnchor anchor = anchor(rtpengine.ngAddress());
        String callId = newCallId();
        String chromium = chromiumOffer();

        String toPhone = anchor.offer(callId, Leg.WEB, chromium);
        assertPlainRtp(toPhone);
        assertTrue(has(toPhone, "a=rtcp:"), "RTCP on its own port towards the phone:\n" + toPhone);
        int rtpengineForPhone = audioPort(toPhone);
        assertNotEquals(audioPort(chromium), rtpengineForPhone, "the phone is sent rtpengine's port");

        try (DatagramSocket phone = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            // 183 with early media, then 200 with the same SDP: both answers pass, on the same ports.
            String phoneAnswer = Sdp.phone(phone.getLocalPort());
            String early = anchor.answer(callId, Leg.SIP, phoneAnswer);
            String toBrowser = anchor.answer(callId, Leg.SIP, phoneAnswer);
            assertWebRtc(toBrowser);
            assertTrue(has(toBrowser, "a=setup:active"), "rtpengine answers the browser's actpass as active:\n"
                    + toBrowser);
            assertEquals(audioPort(early), audioPort(toBrowser));

            CallCounters before = anchor.query(callId).orElseThrow();
            assertEquals(0, before.sip().packets());

            // The phone talks: 25 packets of 20 ms PCMU to the port rtpengine gave it.
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), rtpengineForPhone);
            int packets = 25;
            for (int seq = 0; seq < packets; seq++) {
                byte[] rtp = rtpPacket(seq);
                phone.send(new DatagramPacket(rtp, rtp.length, target));
            }
            CallCounters after = awaitCounters(anchor, callId, c -> c.sip().packets() >= packets);
            assertEquals(packets, after.sip().packets(), "rtpengine counted every packet of the phone");
            assertEquals(packets * 172L, after.sip().bytes(), "12 bytes of RTP header + 160 of PCMU each");
        }

        anchor.release(callId);
        assertTrue(anchor.query(callId).isEmpty(), "the anchor forgets a released call");
        assertTrue(rtpengine.query(callId).contains("Unknown call-id"), "rtpengine deleted the call at once: "
                + rtpengine.query(callId));
        anchor.release(callId);
    }

    // ---- phone calls browser (inbound), then re-offers from both legs ---------------------------

    @Test
    void phoneCallsBrowserThenBothLegsReoffer() throws Exception {
        RtpengineAnchor anchor = anchor(rtpengine.ngAddress());
        String callId = newCallId();

        String toBrowser = anchor.offer(callId, Leg.SIP, Sdp.phone(40_000));
        assertWebRtc(toBrowser);
        assertTrue(has(toBrowser, "a=setup:actpass"), "an offer to the browser lets it pick the DTLS role:\n"
                + toBrowser);

        String toPhone = anchor.answer(callId, Leg.WEB, chromiumAnswerTo(toBrowser));
        assertPlainRtp(toPhone);
        assertTrue(anchor.query(callId).isPresent());

        // The browser re-offers (call.update): the phone gets plain RTP again, on the same port.
        String reofferToPhone = anchor.offer(callId, Leg.WEB, chromiumOffer());
        assertPlainRtp(reofferToPhone);
        assertEquals(audioPort(toPhone), audioPort(reofferToPhone));
        assertWebRtc(anchor.answer(callId, Leg.SIP, Sdp.phone(40_000)));

        // The phone re-offers (re-INVITE): the browser gets WebRTC media again.
        String reofferToBrowser = anchor.offer(callId, Leg.SIP, Sdp.phone(40_002));
        assertWebRtc(reofferToBrowser);
        assertPlainRtp(anchor.answer(callId, Leg.WEB, chromiumAnswerTo(reofferToBrowser)));

        anchor.release(callId);
        assertTrue(rtpengine.query(callId).contains("Unknown call-id"));
    }

    @Test
    void anSdpRtpengineRefusesIs488() {
        RtpengineAnchor anchor = anchor(rtpengine.ngAddress());
        GatewayException e = assertThrows(GatewayException.class,
                () -> anchor.offer(newCallId(), Leg.WEB, "v=0\r\nthis is no SDP\r\n"));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertEquals("rtpengine: Failed to parse SDP", e.getMessage());
    }

    @Test
    void anAnswerWithoutAnOfferIs481() {
        RtpengineAnchor anchor = anchor(rtpengine.ngAddress());
        GatewayException e = assertThrows(GatewayException.class,
                () -> anchor.answer(newCallId(), Leg.SIP, Sdp.phone(40_000)));
        assertEquals(ErrorCode.CALL_DOES_NOT_EXIST, e.code());
    }

    // ---- several ng addresses -------------------------------------------------------------------

    @Test
    void aCallLandsOnTheLiveAddressWhenTheFirstIsDead() throws Exception {
        InetSocketAddress closedPort = loopback(closedUdpPort());
        RtpengineAnchor anchor = anchor(closedPort, rtpengine.ngAddress());
        for (int i = 0; i < 3; i++) {
            String callId = newCallId();
            assertPlainRtp(anchor.offer(callId, Leg.WEB, chromiumOffer()));
            assertTrue(rtpengine.query(callId).contains("6:result2:ok"), "call " + i + " is on the live rtpengine");
        }
    }

    @Test
    void anAddressThatStaysSilentIsPassedOverForTheNextCalls() throws Exception {
        DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        closeables.add(silent);
        RtpengineAnchor anchor = anchor(loopback(silent.getLocalPort()), rtpengine.ngAddress());

        long start = System.nanoTime();
        String first = newCallId();
        anchor.offer(first, Leg.WEB, chromiumOffer());
        Duration firstTook = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(firstTook.compareTo(TRY.multipliedBy(TRIES)) >= 0, "the first call waited for the silent one: "
                + firstTook);

        // The second call starts at the live address anyway; the third would start at the silent
        // one, but it is marked down, so it is tried last and the call does not wait.
        String second = newCallId();
        anchor.offer(second, Leg.WEB, chromiumOffer());
        start = System.nanoTime();
        String third = newCallId();
        anchor.offer(third, Leg.WEB, chromiumOffer());
        Duration thirdTook = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(thirdTook.compareTo(TRY) < 0, "the third call did not wait: " + thirdTook);
        for (String callId : List.of(first, second, third)) {
            assertTrue(rtpengine.query(callId).contains("6:result2:ok"), callId + " is on the live rtpengine");
        }
    }

    @Test
    void noAddressAnsweringIs503() throws Exception {
        DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        closeables.add(silent);
        RtpengineAnchor anchor = anchor(loopback(closedUdpPort()), loopback(silent.getLocalPort()));
        String callId = newCallId();
        GatewayException e = assertThrows(GatewayException.class, () -> anchor.offer(callId, Leg.WEB, chromiumOffer()));
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().startsWith("rtpengine: no ng address answered"), e.getMessage());
        anchor.release(callId);
    }

    @Test
    void newCallsAlternateBetweenTwoDaemonsAndStayOnTheirs() throws Exception {
        Rtpengine second = Rtpengine.start(workDir);
        closeables.add(second);
        RtpengineAnchor anchor = anchor(rtpengine.ngAddress(), second.ngAddress());

        String a = newCallId();
        String b = newCallId();
        anchor.offer(a, Leg.WEB, chromiumOffer());
        anchor.offer(b, Leg.WEB, chromiumOffer());
        assertTrue(rtpengine.query(a).contains("6:result2:ok"), "call a on the first daemon");
        assertTrue(second.query(b).contains("6:result2:ok"), "call b on the second daemon");
        assertTrue(rtpengine.query(b).contains("Unknown call-id"));

        // Each call's answer and deletion go to the daemon that took its offer.
        assertWebRtc(anchor.answer(b, Leg.SIP, Sdp.phone(40_000)));
        anchor.close();
        assertTrue(rtpengine.query(a).contains("Unknown call-id"), "close deleted call a");
        assertTrue(second.query(b).contains("Unknown call-id"), "close deleted call b");
        GatewayException e = assertThrows(GatewayException.class, () -> anchor.offer(newCallId(), Leg.WEB,
                chromiumOffer()));
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code());
    }

    // ---- what each side is sent -----------------------------------------------------------------

    /** What a plain SIP phone must get: RTP/AVP, no ICE, no DTLS or SDES, rtpengine's address. */
    private static void assertPlainRtp(String sdp) {
        assertTrue(mLine(sdp).matches("m=audio \\d+ RTP/AVP [0-9 ]+"), "RTP/AVP towards the phone:\n" + sdp);
        for (String banned : List.of("a=ice-", "a=candidate", "a=fingerprint", "a=setup", "a=crypto", "a=rtcp-mux",
                "a=end-of-candidates")) {
            assertFalse(has(sdp, banned), banned + " must not reach the phone:\n" + sdp);
        }
        assertTrue(has(sdp, "c=IN IP4 127.0.0.1"), "rtpengine's address:\n" + sdp);
        assertTrue(has(sdp, "a=rtpmap:0 PCMU/8000"), "G.711 kept:\n" + sdp);
    }

    /** What a browser must get: UDP/TLS/RTP/SAVPF, ICE with rtpengine as candidate, DTLS, rtcp-mux, mid. */
    private static void assertWebRtc(String sdp) {
        assertTrue(mLine(sdp).matches("m=audio \\d+ UDP/TLS/RTP/SAVPF [0-9 ]+"), "WebRTC profile:\n" + sdp);
        for (String needed : List.of("a=ice-ufrag:", "a=ice-pwd:", "a=candidate:", "a=fingerprint:sha-256 ",
                "a=setup:", "a=rtcp-mux", "a=mid:")) {
            assertTrue(has(sdp, needed), needed + " must reach the browser:\n" + sdp);
        }
        assertFalse(has(sdp, "a=crypto"), "no SDES towards a browser:\n" + sdp);
        int port = audioPort(sdp);
        assertTrue(has(sdp, "a=candidate:") && sdp.contains(" 127.0.0.1 " + port + " typ host"),
                "rtpengine is the ICE candidate:\n" + sdp);
    }

    private static boolean has(String sdp, String linePrefix) {
        return sdp.lines().anyMatch(l -> l.startsWith(linePrefix));
    }

    private static String mLine(String sdp) {
        return sdp.lines().filter(l -> l.startsWith("m=audio ")).findFirst()
                .orElseThrow(() -> new AssertionError("no audio m-line:\n" + sdp));
    }

    private static int audioPort(String sdp) {
        return Integer.parseInt(mLine(sdp).split(" ")[1]);
    }

    // ---- peers' SDP -----------------------------------------------------------------------------

    /** An offer Chromium 156 wrote (headless, fake devices, loopback candidates allowed). */
    private static String chromiumOffer() throws IOException {
        try (InputStream in = RtpengineInteropIT.class.getResourceAsStream("/sdp/chromium-156-offer.sdp")) {
            if (in == null) {
                throw new IllegalStateException("test resource /sdp/chromium-156-offer.sdp is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * What Chromium answers to {@code offer}: its own transport (ICE, fingerprint, BUNDLE) with
     * {@code a=setup:active}, the offer's mid, and the offer's G.711 and telephone-event formats.
     */
    private static String chromiumAnswerTo(String offer) throws IOException {
        String mid = sdpValue(offer, "a=mid:(\\S+)");
        String events = sdpValue(offer, "a=rtpmap:(\\d+) telephone-event/8000");
        StringBuilder answer = new StringBuilder();
        for (String line : chromiumOffer().split("\r\n")) {
            if (line.startsWith("a=group:BUNDLE ")) {
                line = "a=group:BUNDLE " + mid;
            } else if (line.startsWith("m=audio ")) {
                String[] m = line.split(" ");
                line = String.join(" ", m[0], m[1], m[2], "0", "8", events);
            } else if (line.startsWith("a=setup:")) {
                line = "a=setup:active";
            } else if (line.startsWith("a=mid:")) {
                line = "a=mid:" + mid;
            } else if (line.matches("a=(rtpmap|fmtp|rtcp-fb):(\\d+) .*") && !line.matches("a=rtpmap:[08] .*")) {
                continue;
            }
            answer.append(line).append("\r\n");
            if (line.startsWith("a=rtpmap:8 ")) {
                answer.append("a=rtpmap:").append(events).append(" telephone-event/8000\r\n");
            }
        }
        return answer.toString();
    }

    private static String sdpValue(String sdp, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(sdp);
        if (!m.find()) {
            fail("no " + regex + " in:\n" + sdp);
        }
        return m.group(1);
    }

    /** RTP (RFC 3550 §5.1) version 2, payload type 0 (PCMU), 160 bytes of µ-law silence. */
    private static byte[] rtpPacket(int seq) {
        ByteBuffer b = ByteBuffer.allocate(12 + 160);
        b.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(0x5EED1234);
        while (b.hasRemaining()) {
            b.put((byte) 0xFF);
        }
        return b.array();
    }

    // ---- helpers --------------------------------------------------------------------------------

    private RtpengineAnchor anchor(InetSocketAddress... ng) {
        RtpengineAnchor anchor = new RtpengineAnchor(new RtpengineSettings(List.of(ng), TRY, TRIES,
                Duration.ofSeconds(30)));
        closeables.add(anchor);
        return anchor;
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Polls rtpengine's counters until they satisfy {@code done}; fails after {@link #WAIT}. */
    private CallCounters awaitCounters(RtpengineAnchor anchor, String callId, Predicate<CallCounters> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Optional<CallCounters> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = anchor.query(callId);
            if (last.isPresent() && done.test(last.get())) {
                return last.get();
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new AssertionError("rtpengine's counters did not get there within " + WAIT + ": " + last
                + "\n" + rtpengine.log());
    }

    private static String newCallId() {
        return UUID.randomUUID().toString();
    }

    private static int closedUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
