package dev.passerelle.gateway.sdp;

import static dev.passerelle.gateway.sdp.Resources.lines;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class OfferAnswerTest {

    private static final SdpParser PARSER = new SdpParser();

    /** A phone's offer: audio (G.711, DTMF) and video (H261 static, VP8 dynamic). */
    private static final Sdp OFFER = PARSER.parse(lines("v=0", "o=alice 10 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1",
            "t=0 0", "m=audio 4000 RTP/AVP 0 8 101", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16",
            "m=video 4002 RTP/AVP 31 96", "a=rtpmap:96 VP8/90000"));

    private static Sdp answer(String... media) {
        String[] head = {"v=0", "o=bob 20 1 IN IP4 127.0.0.2", "s=-", "c=IN IP4 127.0.0.2", "t=0 0"};
        String[] all = new String[head.length + media.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(media, 0, all, head.length, media.length);
        return PARSER.parse(lines(all));
    }

    @Test
    void aMatchingAnswerIsAccepted() {
        Sdp a = answer("m=audio 5000 RTP/AVP 8 101", "a=rtpmap:101 telephone-event/8000",
                "m=video 5002 RTP/AVP 100", "a=rtpmap:100 VP8/90000");
        assertDoesNotThrow(() -> OfferAnswer.checkAnswer(OFFER, a));
    }

    @Test
    void dynamicPayloadTypesMatchByNameClockAndChannelsNotByNumber() {
        Sdp a = answer("m=audio 5000 RTP/AVP 0 97", "a=rtpmap:97 TELEPHONE-EVENT/8000", "m=video 0 RTP/AVP 31");
        assertDoesNotThrow(() -> OfferAnswer.checkAnswer(OFFER, a));
    }

    static Stream<Arguments> badAnswers() {
        return Stream.of(
                arguments("fewer m-lines", new String[] {"m=audio 5000 RTP/AVP 0"}, "answer has 1 m-lines, the offer 2 (RFC 3264 §6)"),
                arguments("more m-lines", new String[] {"m=audio 5000 RTP/AVP 0", "m=video 0 RTP/AVP 31", "m=audio 5004 RTP/AVP 0"},
                        "answer has 3 m-lines, the offer 2 (RFC 3264 §6)"),
                arguments("swapped order", new String[] {"m=video 5002 RTP/AVP 31", "m=audio 5000 RTP/AVP 0"},
                        "m-line 1 (audio): answer has video where the offer has audio (RFC 3264 §6)"),
                arguments("static codec not offered", new String[] {"m=audio 5000 RTP/AVP 18", "m=video 0 RTP/AVP 31"},
                        "m-line 1 (audio): answer codec 18 G729/8000 was not offered (RFC 3264 §6.1)"),
                arguments("dynamic codec not offered", new String[] {"m=audio 5000 RTP/AVP 0", "m=video 5002 RTP/AVP 100",
                        "a=rtpmap:100 H264/90000"}, "m-line 2 (video): answer codec 100 H264/90000 was not offered (RFC 3264 §6.1)"),
                arguments("DTMF at another clock rate", new String[] {"m=audio 5000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/48000",
                        "m=video 0 RTP/AVP 31"}, "m-line 1 (audio): answer codec 101 telephone-event/48000 was not offered (RFC 3264 §6.1)"),
                arguments("another proto", new String[] {"m=audio 5000 RTP/SAVP 0", "m=video 0 RTP/AVP 31"},
                        "m-line 1 (audio): answer proto RTP/SAVP differs from the offered RTP/AVP (RFC 3264 §6)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAnswers")
    void badAnswersAreRefusedNamingTheMLine(String name, String[] media, String reason) {
        SdpException e = assertThrows(SdpException.class, () -> OfferAnswer.checkAnswer(OFFER, answer(media)));
        assertEquals(reason, e.reason());
        assertEquals("sdp: " + reason, e.getMessage());
    }

    @Test
    void aStreamRejectedInTheOfferStaysRejected() {
        Sdp offer = PARSER.parse(lines("v=0", "o=alice 10 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
                "m=audio 4000 RTP/AVP 0", "m=video 0 RTP/AVP 31"));
        SdpException e = assertThrows(SdpException.class, () -> OfferAnswer.checkAnswer(offer,
                answer("m=audio 5000 RTP/AVP 0", "m=video 5002 RTP/AVP 31")));
        assertEquals("m-line 2 (video): the offer rejected this stream (port 0), the answer must too (RFC 3264 §6)", e.reason());
        assertDoesNotThrow(() -> OfferAnswer.checkAnswer(offer, answer("m=audio 5000 RTP/AVP 0", "m=video 0 RTP/AVP 31")));
    }

    @ParameterizedTest(name = "offer {0}, answer {1}: {2}")
    @CsvSource({
            "sendrecv, sendrecv, true", "sendrecv, sendonly, true", "sendrecv, recvonly, true", "sendrecv, inactive, true",
            "sendonly, recvonly, true", "sendonly, inactive, true", "sendonly, sendrecv, false", "sendonly, sendonly, false",
            "recvonly, sendonly, true", "recvonly, inactive, true", "recvonly, sendrecv, false", "recvonly, recvonly, false",
            "inactive, inactive, true", "inactive, sendrecv, false", "inactive, sendonly, false", "inactive, recvonly, false"})
    void answerDirectionMustAnswerTheOffered(String offered, String answered, boolean ok) {
        Sdp offer = PARSER.parse(lines("v=0", "o=alice 10 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
                "m=audio 4000 RTP/AVP 0", "a=" + offered));
        Sdp a = answer("m=audio 5000 RTP/AVP 0", "a=" + answered);
        if (ok) {
            assertDoesNotThrow(() -> OfferAnswer.checkAnswer(offer, a));
        } else {
            SdpException e = assertThrows(SdpException.class, () -> OfferAnswer.checkAnswer(offer, a));
            assertEquals("m-line 1 (audio): answer direction " + answered + " does not answer the offered " + offered
                    + " (RFC 3264 §6.1)", e.reason());
        }
    }

    @Test
    void sessionLevelDirectionOfTheOfferCounts() {
        Sdp offer = PARSER.parse(lines("v=0", "o=alice 10 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
                "a=sendonly", "m=audio 4000 RTP/AVP 0"));
        assertThrows(SdpException.class, () -> OfferAnswer.checkAnswer(offer, answer("m=audio 5000 RTP/AVP 0")));
        assertDoesNotThrow(() -> OfferAnswer.checkAnswer(offer, answer("m=audio 5000 RTP/AVP 0", "a=recvonly")));
    }

    // ---- re-offers (RFC 3264 §8)

    private static Sdp alice(int version, String... media) {
        String[] head = {"v=0", "o=alice 10 " + version + " IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0"};
        String[] all = new String[head.length + media.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(media, 0, all, head.length, media.length);
        return PARSER.parse(lines(all));
    }

    private static final String[] AUDIO_VIDEO = {"m=audio 4000 RTP/AVP 0", "m=video 4002 RTP/AVP 31"};

    private static Negotiation established() {
        return Negotiation.offered(alice(1, AUDIO_VIDEO)).answered(answer("m=audio 5000 RTP/AVP 0", "m=video 5002 RTP/AVP 31"));
    }

    @Test
    void holdReofferWithAGreaterVersionIsAccepted() {
        Negotiation n = established().reoffered(alice(2, "m=audio 4000 RTP/AVP 0", "a=sendonly", "m=video 4002 RTP/AVP 31", "a=sendonly"));
        assertTrue(n.isPending());
        Negotiation held = n.answered(answer("m=audio 5000 RTP/AVP 0", "a=recvonly", "m=video 5002 RTP/AVP 31", "a=recvonly"));
        assertFalse(held.isPending());
        assertDoesNotThrow(() -> held.reoffered(alice(7, AUDIO_VIDEO)));
    }

    @Test
    void anUnchangedRefreshMayKeepTheVersion() {
        assertDoesNotThrow(() -> established().reoffered(alice(1, AUDIO_VIDEO)));
    }

    @Test
    void theCalleeReoffersWithItsAnswersOrigin() {
        Negotiation n = established();
        Sdp bob = PARSER.parse(lines("v=0", "o=bob 20 2 IN IP4 127.0.0.2", "s=-", "c=IN IP4 127.0.0.2", "t=0 0",
                "m=audio 5000 RTP/AVP 0", "a=sendonly", "m=video 0 RTP/AVP 31"));
        assertDoesNotThrow(() -> n.reoffered(bob));
        Sdp bobSameVersion = PARSER.parse(bob.write().replace("o=bob 20 2", "o=bob 20 1"));
        SdpException e = assertThrows(SdpException.class, () -> n.reoffered(bobSameVersion));
        assertEquals("new offer changes the description but keeps o= version 1 (RFC 3264 §8)", e.reason());
    }

    static Stream<Arguments> badReoffers() {
        return Stream.of(
                arguments("a stream removed", alice(2, "m=audio 4000 RTP/AVP 0"),
                        "new offer has 1 m-lines, fewer than the previous 2; a stream is removed by port 0 (RFC 3264 §8.2)"),
                arguments("streams swapped", alice(2, "m=video 4002 RTP/AVP 31", "m=audio 4000 RTP/AVP 0"),
                        "m-line 1 (audio): new offer has video in place of audio (RFC 3264 §8)"),
                arguments("version went down", alice(0, AUDIO_VIDEO), "new offer's o= version 0 is lower than the previous 1 (RFC 3264 §8)"),
                arguments("changed without a new version", alice(1, "m=audio 4000 RTP/AVP 0", "a=inactive", "m=video 4002 RTP/AVP 31"),
                        "new offer changes the description but keeps o= version 1 (RFC 3264 §8)"),
                arguments("another session's origin", PARSER.parse(alice(2, AUDIO_VIDEO).write().replace("o=alice 10", "o=alice 11")),
                        "new offer's o= line (alice 11 2 IN IP4 127.0.0.1) is not the one of this party's earlier description"
                                + " except for the version (RFC 3264 §8)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badReoffers")
    void badReoffersAreRefused(String name, Sdp reoffer, String reason) {
        Negotiation n = established();
        SdpException e = assertThrows(SdpException.class, () -> n.reoffered(reoffer));
        assertEquals(reason, e.reason());
    }

    @Test
    void removingByPortZeroAddingAtTheEndAndReusingADisabledSlot() {
        Negotiation n = established();
        Negotiation removed = n.reoffered(alice(2, "m=audio 4000 RTP/AVP 0", "m=video 0 RTP/AVP 31"))
                .answered(answer("m=audio 5000 RTP/AVP 0", "m=video 0 RTP/AVP 31"));
        Negotiation reused = removed.reoffered(alice(3, "m=audio 4000 RTP/AVP 0",
                "m=application 4004 UDP/DTLS/SCTP webrtc-datachannel", "m=video 4006 RTP/AVP 31"));
        assertEquals(3, reused.offer().media().size());
    }

    @Test
    void negotiationOrderIsEnforced() {
        Negotiation pending = Negotiation.offered(alice(1, AUDIO_VIDEO));
        SdpException glare = assertThrows(SdpException.class, () -> pending.reoffered(alice(2, AUDIO_VIDEO)));
        assertEquals("a new offer came while the previous one is still unanswered (RFC 3264 §4)", glare.reason());
        Negotiation done = established();
        SdpException twice = assertThrows(SdpException.class,
                () -> done.answered(answer("m=audio 5000 RTP/AVP 0", "m=video 5002 RTP/AVP 31")));
        assertEquals("an answer came but no offer is pending (RFC 3264 §4)", twice.reason());
    }

    @Test
    void aRefusedAnswerLeavesTheStateUnchanged() {
        Negotiation pending = Negotiation.offered(OFFER);
        assertThrows(SdpException.class, () -> pending.answered(answer("m=audio 5000 RTP/AVP 18", "m=video 0 RTP/AVP 31")));
        assertTrue(pending.isPending());
        assertSame(OFFER, pending.offer());
    }

    @Test
    void originVersionArithmetic() {
        Origin o = alice(1, AUDIO_VIDEO).origin();
        assertEquals("2", o.nextVersion().sessionVersion());
        assertTrue(o.nextVersion().compareVersion(o) > 0);
        assertTrue(o.sameSession(o.nextVersion()));
        Origin max = new Origin("a", "1", "18446744073709551615", "IN", "IP4", "127.0.0.1");
        assertTrue(max.compareVersion(o) > 0);
        assertThrows(SdpException.class, max::nextVersion);
    }

    // ---- profiles

    @Test
    void browserOffersAreWebRtcAndPhoneOffersPlainRtp() {
        for (String name : List.of("chromium-offer.sdp", "firefox-offer.sdp", "safari-offer.sdp")) {
            Sdp sdp = Resources.parse(name);
            assertDoesNotThrow(() -> OfferAnswer.assertProfile(sdp, Profile.WEBRTC), name);
            SdpException e = assertThrows(SdpException.class, () -> OfferAnswer.assertProfile(sdp, Profile.PLAIN_RTP));
            assertEquals("m-line 1 (audio): proto UDP/TLS/RTP/SAVPF is not RTP/AVP (plain RTP profile)", e.reason());
        }
        Sdp phone = Resources.parse("baresip-offer.sdp");
        assertDoesNotThrow(() -> OfferAnswer.assertProfile(phone, Profile.PLAIN_RTP));
        assertEquals("m-line 1 (audio): proto RTP/AVP is not UDP/TLS/RTP/SAVPF (WebRTC profile)",
                assertThrows(SdpException.class, () -> OfferAnswer.assertProfile(phone, Profile.WEBRTC)).reason());
    }

    static Stream<Arguments> notWebRtc() {
        return Stream.of(
                arguments("a=ice-ufrag:", "m-line 1 (audio): no a=ice-ufrag/a=ice-pwd (WebRTC profile, RFC 8839)"),
                arguments("a=fingerprint:", "m-line 1 (audio): no a=fingerprint (WebRTC profile, RFC 8122)"),
                arguments("a=setup:", "m-line 1 (audio): no a=setup (WebRTC profile, RFC 8842)"),
                arguments("a=rtcp-mux", "m-line 1 (audio): no a=rtcp-mux (WebRTC profile, RFC 8829 §5.2.1)"));
    }

    @ParameterizedTest(name = "without {0}")
    @MethodSource("notWebRtc")
    void webRtcProfileNeedsIceFingerprintSetupAndRtcpMux(String prefix, String reason) {
        String text = Resources.text("chromium-offer.sdp");
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\r\n")) {
            if (!line.startsWith(prefix)) {
                b.append(line).append("\r\n");
            }
        }
        Sdp sdp = PARSER.parse(b.toString());
        boolean iceOrDtlsGone = prefix.startsWith("a=ice-ufrag") || prefix.startsWith("a=fingerprint");
        assertEquals(!iceOrDtlsGone, sdp.isWebRtc(sdp.media().get(0)));
        assertEquals(reason, assertThrows(SdpException.class, () -> OfferAnswer.assertProfile(sdp, Profile.WEBRTC)).reason());
    }

    @Test
    void plainRtpProfileRefusesIceAndFingerprint() {
        String base = Resources.text("baresip-offer.sdp");
        Sdp withIce = PARSER.parse(base + "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n");
        assertEquals("m-line 1 (audio): ICE attributes in a plain RTP description",
                assertThrows(SdpException.class, () -> OfferAnswer.assertProfile(withIce, Profile.PLAIN_RTP)).reason());
        Sdp withFingerprint = PARSER.parse(base.replace("a=tool:baresip 1.0.0\r\n", "a=tool:baresip 1.0.0\r\na=fingerprint:sha-1 "
                + "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r\n"));
        assertEquals("m-line 1 (audio): a=fingerprint in a plain RTP description",
                assertThrows(SdpException.class, () -> OfferAnswer.assertProfile(withFingerprint, Profile.PLAIN_RTP)).reason());
        Sdp allRejected = PARSER.parse(base.replace("m=audio 23382", "m=audio 0"));
        assertEquals("no accepted media section (every port is 0)",
                assertThrows(SdpException.class, () -> OfferAnswer.assertProfile(allRejected, Profile.PLAIN_RTP)).reason());
    }
}
