package dev.passerelle.gateway.media.rtpengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.connector.spi.MediaConnector.Leg;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The anchor's side of the ng conversation, against ng peers made here (UDP sockets that decode
 * each request and answer as the test says): which tags and keys each step sends, and what it makes
 * of the replies. RtpengineInteropIT checks the same anchor against the real daemon.
 */
class RtpengineAnchorTest {

    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    private static final Duration TRY = Duration.ofMillis(150);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void tagsFollowWhoOfferedAndReoffersCarryTheToTag() throws Exception {
        NgPeer ng = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = anchor(ng);

        assertEquals("sdp for sip", anchor.offer("c1", Leg.WEB, SDP));
        Map<String, Object> offer = ng.next();
        assertEquals("offer", offer.get("command"));
        assertEquals("c1", offer.get("call-id"));
        assertEquals("web", offer.get("from-tag"));
        assertNull(offer.get("to-tag"), "an initial offer has no to-tag yet");
        assertEquals(SDP, offer.get("sdp"));
        assertEquals("RTP/AVP", offer.get("transport-protocol"));

        assertEquals("sdp for web", anchor.answer("c1", Leg.SIP, SDP));
        assertEquals("sdp for web", anchor.answer("c1", Leg.SIP, SDP));
        for (int i = 0; i < 2; i++) {
            Map<String, Object> answer = ng.next();
            assertEquals("answer", answer.get("command"));
            assertEquals("web", answer.get("from-tag"), "the offerer's tag");
            assertEquals("sip", answer.get("to-tag"), "the answerer's tag");
            assertEquals("UDP/TLS/RTP/SAVPF", answer.get("transport-protocol"));
            assertNull(answer.get("DTLS"), "the DTLS role is rtpengine's choice");
        }

        anchor.offer("c1", Leg.SIP, SDP);
        Map<String, Object> reoffer = ng.next();
        assertEquals("sip", reoffer.get("from-tag"));
        assertEquals("web", reoffer.get("to-tag"));
        assertEquals("UDP/TLS/RTP/SAVPF", reoffer.get("transport-protocol"));
        assertNull(reoffer.get("DTLS"), "an offer to the browser stays actpass");

        anchor.answer("c1", Leg.WEB, SDP);
        Map<String, Object> answer = ng.next();
        assertEquals("sip", answer.get("from-tag"));
        assertEquals("web", answer.get("to-tag"));
        assertEquals("RTP/AVP", answer.get("transport-protocol"));
    }

    @Test
    void eachSideGetsItsProfile() throws Exception {
        NgPeer ng = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = anchor(ng);

        anchor.offer("c1", Leg.SIP, SDP);
        Map<String, Object> toWeb = ng.next();
        assertEquals("force", toWeb.get("ICE"));
        assertEquals(List.of("off"), toWeb.get("SDES"));
        assertEquals(List.of("require"), toWeb.get("rtcp-mux"));
        assertEquals(List.of("trust-address", "generate-mid", "inject DTMF"), toWeb.get("flags"));
        assertEquals(List.of("origin", "session-connection", "SDP-version"), toWeb.get("replace"));

        anchor.answer("c1", Leg.WEB, SDP);
        Map<String, Object> toSip = ng.next();
        assertEquals("remove", toSip.get("ICE"));
        assertEquals("off", toSip.get("DTLS"));
        assertEquals(List.of("off"), toSip.get("SDES"));
        assertEquals(List.of("demux"), toSip.get("rtcp-mux"));
        assertEquals(List.of("trust-address", "inject DTMF"), toSip.get("flags"));
        assertEquals(List.of("origin", "session-connection", "SDP-version"), toSip.get("replace"));
    }

    @Test
    void anErrorReplyIs488WithRtpenginesReason() throws Exception {
        NgPeer ng = peer(request -> Map.of("result", "error", "error-reason", "Failed to parse SDP"));
        GatewayException e = assertThrows(GatewayException.class, () -> anchor(ng).offer("c1", Leg.WEB, SDP));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertEquals("rtpengine: Failed to parse SDP", e.getMessage());
    }

    @Test
    void aMissingSdpIs488WithoutAskingRtpengine() throws Exception {
        NgPeer ng = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = anchor(ng);
        for (String sdp : Arrays.asList(null, "", "  ")) {
            GatewayException e = assertThrows(GatewayException.class, () -> anchor.offer("c1", Leg.WEB, sdp));
            assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        }
        assertNull(ng.poll());
    }

    @Test
    void answersNeedAPendingOfferFromTheOtherLeg() throws Exception {
        NgPeer ng = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = anchor(ng);
        assertEquals(ErrorCode.CALL_DOES_NOT_EXIST,
                assertThrows(GatewayException.class, () -> anchor.answer("c1", Leg.SIP, SDP)).code());

        anchor.offer("c1", Leg.WEB, SDP);
        ng.next();
        GatewayException own = assertThrows(GatewayException.class, () -> anchor.answer("c1", Leg.WEB, SDP));
        assertEquals(ErrorCode.INTERNAL_ERROR, own.code());
        assertTrue(own.getMessage().contains("web leg answered its own offer"), own.getMessage());
        assertNull(ng.poll(), "neither reached rtpengine");
    }

    @Test
    void releaseDeletesAtOnceAndIsIdempotent() throws Exception {
        NgPeer ng = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = anchor(ng);
        anchor.offer("c1", Leg.WEB, SDP);
        ng.next();

        anchor.release("c1");
        Map<String, Object> delete = ng.next();
        assertEquals("delete", delete.get("command"));
        assertEquals("c1", delete.get("call-id"));
        assertEquals("web", delete.get("from-tag"));
        assertEquals(0L, delete.get("delete delay"));

        anchor.release("c1");
        anchor.release("never-offered");
        assertNull(ng.poll(), "a call is deleted once; an unknown one not at all");
        assertEquals(ErrorCode.CALL_DOES_NOT_EXIST,
                assertThrows(GatewayException.class, () -> anchor.answer("c1", Leg.SIP, SDP)).code());
    }

    @Test
    void releaseNeverThrowsEvenWhenRtpengineIsGone() throws Exception {
        NgPeer ng = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = anchor(ng);
        anchor.offer("c1", Leg.WEB, SDP);
        ng.close();
        anchor.release("c1");
        assertTrue(anchor.query("c1").isEmpty());
    }

    @Test
    void queryAddsUpEachLegsStreams() throws Exception {
        Map<String, Object> stats = Map.of("result", "ok", "tags", Map.of(
                "web", Map.of("medias", List.of(Map.of("streams", List.of(
                        Map.of("stats", Map.of("packets", 5L, "bytes", 500L, "errors", 1L)),
                        Map.of("stats", Map.of("packets", 2L, "bytes", 100L, "errors", 0L)))))),
                "sip", Map.of("medias", List.of(Map.of("streams", List.of(
                        Map.of("stats", Map.of("packets", 25L, "bytes", 4300L, "errors", 0L))))))));
        NgPeer ng = peer(request -> "query".equals(request.get("command")) ? stats : okWithSdp(request));
        RtpengineAnchor anchor = anchor(ng);
        assertTrue(anchor.query("c1").isEmpty(), "no call held, nothing asked");
        anchor.offer("c1", Leg.WEB, SDP);

        CallCounters counters = anchor.query("c1").orElseThrow();
        assertEquals(new CallCounters.LegCounters(7, 600, 1), counters.web());
        assertEquals(new CallCounters.LegCounters(25, 4300, 0), counters.sip());
    }

    @Test
    void newCallsGoRoundRobinAndStayWhereTheyWerePlaced() throws Exception {
        NgPeer first = peer(RtpengineAnchorTest::okWithSdp);
        NgPeer second = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = anchor(first, second);

        anchor.offer("a", Leg.WEB, SDP);
        anchor.offer("b", Leg.WEB, SDP);
        anchor.offer("c", Leg.WEB, SDP);
        assertEquals("a", first.next().get("call-id"));
        assertEquals("b", second.next().get("call-id"));
        assertEquals("c", first.next().get("call-id"));

        anchor.answer("b", Leg.SIP, SDP);
        anchor.release("b");
        assertEquals("answer", second.next().get("command"));
        assertEquals("delete", second.next().get("command"));
        assertNull(first.poll());
    }

    @Test
    void aCallOnASilentAddressIs503AndTheAddressIsPassedOverForNewCalls() throws Exception {
        NgPeer live = peer(RtpengineAnchorTest::okWithSdp);
        NgPeer flaky = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = anchor(live, flaky);
        anchor.offer("a", Leg.WEB, SDP);
        anchor.offer("b", Leg.WEB, SDP);
        live.next();
        flaky.next();

        flaky.silence();
        GatewayException e = assertThrows(GatewayException.class, () -> anchor.answer("b", Leg.SIP, SDP));
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code(), "a call stays on its address: no failover mid-call");

        anchor.offer("c", Leg.WEB, SDP);
        anchor.offer("d", Leg.WEB, SDP);
        assertEquals("c", live.next().get("call-id"));
        assertEquals("d", live.next().get("call-id"), "d would be the flaky one's turn, but it is marked down");
    }

    @Test
    void closeDeletesWhatIsLeftAndRefusesNewOffers() throws Exception {
        NgPeer ng = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = anchor(ng);
        anchor.offer("a", Leg.WEB, SDP);
        anchor.offer("b", Leg.SIP, SDP);
        ng.next();
        ng.next();

        anchor.close();
        List<Object> deleted = List.of(ng.next().get("call-id"), ng.next().get("call-id"));
        assertTrue(deleted.containsAll(List.of("a", "b")), deleted.toString());
        GatewayException e = assertThrows(GatewayException.class, () -> anchor.offer("c", Leg.WEB, SDP));
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code());
        assertFalse(anchor.query("a").isPresent());
    }

    /**
     * With DTMF injection on (the default) every offer and answer carries {@code inject DTMF}, and
     * a tone towards the SIP leg is a {@code play DTMF} generated by the web participant, its
     * duration held to rtpengine's 100-5000 ms.
     */
    @Test
    void playDtmfTowardsTheSipLegIsGeneratedByTheWebParticipant() throws Exception {
        NgPeer ng = peer(r -> "play DTMF".equals(r.get("command")) ? Map.of("result", "ok") : okWithSdp(r));
        RtpengineAnchor anchor = anchor(ng);
        assertTrue(anchor.injectsDtmf());

        anchor.offer("c1", Leg.WEB, SDP);
        assertTrue(flags(ng.next()).contains("inject DTMF"), "the offer asks for DTMF injection");
        anchor.answer("c1", Leg.SIP, SDP);
        assertTrue(flags(ng.next()).contains("inject DTMF"), "and so does the answer");

        anchor.playDtmf("c1", Leg.SIP, '#', 40);
        Map<String, Object> play = ng.next();
        assertEquals("play DTMF", play.get("command"));
        assertEquals("c1", play.get("call-id"));
        assertEquals("web", play.get("from-tag"), "rtpengine's from-tag names the participant generating the event");
        assertEquals("#", play.get("code"));
        assertEquals(100L, play.get("duration"), "rtpengine's shortest event");
        anchor.playDtmf("c1", Leg.WEB, '7', 9000);
        Map<String, Object> back = ng.next();
        assertEquals("sip", back.get("from-tag"));
        assertEquals(5000L, back.get("duration"), "rtpengine's longest event");
    }

    @Test
    void playDtmfRefusedByRtpengineIs503AndBeforeTheAnswer488() throws Exception {
        NgPeer ng = peer(r -> "play DTMF".equals(r.get("command"))
                ? Map.of("result", "error", "error-reason", "No SSRC context present for DTMF injection")
                : okWithSdp(r));
        RtpengineAnchor anchor = anchor(ng);
        anchor.offer("c1", Leg.WEB, SDP);
        ng.next();
        GatewayException early = assertThrows(GatewayException.class, () -> anchor.playDtmf("c1", Leg.SIP, '5', 160));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, early.code());
        assertNull(ng.poll(), "nothing is asked of rtpengine before the answer");

        anchor.answer("c1", Leg.SIP, SDP);
        ng.next();
        GatewayException refused = assertThrows(GatewayException.class, () -> anchor.playDtmf("c1", Leg.SIP, '5', 160));
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, refused.code());
        assertTrue(refused.getMessage().contains("No SSRC context"), refused.getMessage());
    }

    @Test
    void withoutInjectionNoFlagAndNoPlay() throws Exception {
        NgPeer ng = peer(RtpengineAnchorTest::okWithSdp);
        RtpengineAnchor anchor = new RtpengineAnchor(new RtpengineSettings(List.of(ng.address()), TRY, 2,
                Duration.ofSeconds(30), false, Optional.empty()));
        closeables.add(anchor);
        assertFalse(anchor.injectsDtmf());
        anchor.offer("c1", Leg.WEB, SDP);
        assertFalse(flags(ng.next()).contains("inject DTMF"));
        anchor.answer("c1", Leg.SIP, SDP);
        assertFalse(flags(ng.next()).contains("inject DTMF"));
        GatewayException e = assertThrows(GatewayException.class, () -> anchor.playDtmf("c1", Leg.SIP, '5', 160));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertNull(ng.poll());
    }

    /**
     * rtpengine's DTMF log (as its {@code --dtmf-log-dest} sends it) is received on
     * {@code dtmfEvents} once a listener is set: an event of a call the anchor holds is reported
     * with the leg its source tag names; events of other calls and other datagrams are not.
     */
    @Test
    void dtmfEventsOfItsOwnCallsAreReportedWithTheirLeg() throws Exception {
        NgPeer ng = peer(RtpengineAnchorTest::okWithSdp);
        InetSocketAddress events;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            events = (InetSocketAddress) probe.getLocalSocketAddress();
        }
        RtpengineAnchor anchor = new RtpengineAnchor(new RtpengineSettings(List.of(ng.address()), TRY, 2,
                Duration.ofSeconds(30), true, Optional.of(events)));
        closeables.add(anchor);
        LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
        anchor.onDtmf((callId, from, tone) -> heard.add(callId + " " + from + " " + tone));
        anchor.offer("c1", Leg.WEB, SDP);
        ng.next();

        try (DatagramSocket rtpengine = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            for (String datagram : List.of(
                    "{\"callid\":\"other\",\"source_tag\":\"sip\",\"type\":\"DTMF\",\"event\":1}",
                    "not json",
                    "{\"callid\":\"c1\",\"source_tag\":\"sip\",\"type\":\"DTMF\",\"event\":16}",
                    "{\"callid\":\"c1\",\"source_tag\":\"sip\",\"tags\":[\"web\",\"sip\"],\"type\":\"DTMF\","
                            + "\"timestamp\":1795297361,\"source_ip\":\"127.0.0.1\",\"event\":11,\"duration\":160,\"volume\":10}",
                    "{\"callid\":\"c1\",\"source_tag\":\"web\",\"type\":\"DTMF\",\"event\":7}")) {
                byte[] bytes = datagram.getBytes(StandardCharsets.UTF_8);
                rtpengine.send(new DatagramPacket(bytes, bytes.length, events));
            }
        }
        assertEquals("c1 SIP #", heard.poll(5, TimeUnit.SECONDS), "event 11 is # (RFC 4733 §3.2)");
        assertEquals("c1 WEB 7", heard.poll(5, TimeUnit.SECONDS));
        assertNull(heard.poll(200, TimeUnit.MILLISECONDS), "nothing for another call, a non-tone or garbage");
    }

    private static List<?> flags(Map<String, Object> request) {
        return request.get("flags") instanceof List<?> l ? l : List.of();
    }

    // ---- the ng peer ----------------------------------------------------------------------------

    /** An offer's SDP goes to the leg that did not send it, an answer's to the offerer (its from-tag). */
    private static Map<String, Object> okWithSdp(Map<String, Object> request) {
        Object from = request.get("from-tag");
        Object to = "offer".equals(request.get("command")) ? ("web".equals(from) ? "sip" : "web") : from;
        return Map.of("result", "ok", "sdp", "sdp for " + to);
    }

    private RtpengineAnchor anchor(NgPeer... peers) {
        RtpengineAnchor anchor = new RtpengineAnchor(new RtpengineSettings(
                Arrays.stream(peers).map(NgPeer::address).toList(), TRY, 2, Duration.ofSeconds(30)));
        closeables.add(anchor);
        return anchor;
    }

    private NgPeer peer(Function<Map<String, Object>, Map<String, Object>> replies) throws SocketException {
        NgPeer peer = new NgPeer(replies);
        closeables.add(peer);
        return peer;
    }

    /** Decodes each request, records it once per cookie (retries are not new requests), replies. */
    private static final class NgPeer implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        private final LinkedBlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
        private volatile boolean silent;

        NgPeer(Function<Map<String, Object>, Map<String, Object>> replies) throws SocketException {
            Thread thread = new Thread(() -> serve(replies), "ng-peer");
            thread.setDaemon(true);
            thread.start();
        }

        void silence() {
            silent = true;
        }

        @SuppressWarnings("unchecked")
        private void serve(Function<Map<String, Object>, Map<String, Object>> replies) {
            byte[] buffer = new byte[NgClient.MAX_DATAGRAM + 1];
            String lastCookie = "";
            while (true) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (IOException e) {
                    return;
                }
                if (silent) {
                    continue;
                }
                String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                int space = text.indexOf(' ');
                String cookie = text.substring(0, space);
                Map<String, Object> request = (Map<String, Object>) Bencode.decode(packet.getData(), space + 1,
                        packet.getLength() - space - 1, NgClient.MAX_DATAGRAM);
                if (!cookie.equals(lastCookie)) {
                    received.add(request);
                    lastCookie = cookie;
                }
                byte[] reply = (cookie + " " + new String(Bencode.encode(replies.apply(request)),
                        StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                try {
                    socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        Map<String, Object> next() throws InterruptedException {
            Map<String, Object> request = received.poll(5, TimeUnit.SECONDS);
            if (request == null) {
                throw new AssertionError("the ng peer received no (further) request");
            }
            return request;
        }

        Map<String, Object> poll() throws InterruptedException {
            return received.poll(TRY.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
