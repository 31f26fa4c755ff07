package dev.passerelle.gateway.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.MediaConnector;
import dev.passerelle.connector.spi.MediaRefusedException;
import dev.passerelle.gateway.connector.MediaConnectors;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.media.MediaAnchor.Leg;
import dev.passerelle.gateway.media.passthrough.PassthroughAnchor;
import dev.passerelle.gateway.sdp.CodecPolicy;
import dev.passerelle.gateway.sdp.SdpException;
import dev.passerelle.gateway.sdp.SdpParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The negotiation every SDP goes through, over the pass-through anchor: the model's refusals,
 * the codec policy and the RFC 3264 rules per call, with real browser and phone offers.
 */
class NegotiatingAnchorTest {

    private final NegotiatingAnchor anchor = new NegotiatingAnchor(MediaConnectors.fixed(new PassthroughAnchor()),
            new SdpParser(), CodecPolicy.defaults());

    /** baresip's offer as captured: PCMU, PCMA, G722, telephone-event. */
    private static final String PHONE_OFFER = resource("baresip-offer.sdp");

    private static String answer(String version, String formats, String... rtpmaps) {
        StringBuilder b = new StringBuilder("v=0\r\no=- 7 " + version + " IN IP4 127.0.0.1\r\ns=-\r\n"
                + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP " + formats + "\r\n");
        for (String r : rtpmaps) {
            b.append("a=rtpmap:").append(r).append("\r\n");
        }
        return b.toString();
    }

    @Test
    void anOfferIsCutToTheCodecPolicy() {
        String out = anchor.offer("c1", Leg.WEB, resource("chromium-offer.sdp"));
        String audio = out.lines().filter(l -> l.startsWith("m=audio")).findFirst().orElseThrow();
        assertEquals("m=audio 49990 UDP/TLS/RTP/SAVPF 111 9 0 8 110 126", audio,
                "opus, G722, PCMU, PCMA and telephone-event in policy order; red and CN dropped");
        assertFalse(out.contains("red/48000"), out);
        assertTrue(out.contains("m=video "), "video kept: VP8 and H264 are allowed");
    }

    @Test
    void aMalformedOfferIsRefusedNamingItsLine() {
        SdpException e = assertThrows(SdpException.class,
                () -> anchor.offer("c1", Leg.SIP, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                        + "t=0 0\r\nm=audio 99999 RTP/AVP 0\r\n"));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertEquals(6, e.line());
        assertTrue(e.getMessage().startsWith("sdp line 6 (m=audio 99999 RTP/AVP 0): "), e.getMessage());
    }

    @Test
    void anAnswerMustFitItsOfferAndARefusalChangesNothing() {
        anchor.offer("c1", Leg.SIP, PHONE_OFFER);
        SdpException e = assertThrows(SdpException.class,
                () -> anchor.answer("c1", Leg.WEB, answer("1", "18", "18 G729/8000")));
        assertTrue(e.getMessage().contains("RFC 3264"), e.getMessage());
        String good = answer("1", "0 101", "0 PCMU/8000", "101 telephone-event/8000");
        assertEquals(good, anchor.answer("c1", Leg.WEB, good), "the offer is still pending after the refusal");
    }

    @Test
    void earlyMediaThenTheFinalAnswerBothFitTheOffer() {
        anchor.offer("c1", Leg.SIP, PHONE_OFFER);
        anchor.answer("c1", Leg.WEB, answer("1", "0", "0 PCMU/8000"));
        String last = answer("2", "8", "8 PCMA/8000");
        assertEquals(last, anchor.answer("c1", Leg.WEB, last));
    }

    @Test
    void anAnswerWithoutAnOfferIsRefused() {
        assertThrows(SdpException.class, () -> anchor.answer("nobody", Leg.WEB, answer("1", "0", "0 PCMU/8000")));
    }

    @Test
    void aReofferMustKeepTheSectionsInForce() {
        anchor.offer("c1", Leg.SIP, PHONE_OFFER);
        anchor.answer("c1", Leg.WEB, answer("1", "0", "0 PCMU/8000"));
        String videoInPlaceOfAudio = "v=0\r\no=- 347394814 62767421 IN IP4 127.0.0.1\r\ns=-\r\n"
                + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 4002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n";
        SdpException e = assertThrows(SdpException.class, () -> anchor.offer("c1", Leg.SIP, videoInPlaceOfAudio));
        assertTrue(e.getMessage().contains("RFC 3264 §8"), e.getMessage());

        String hold = PHONE_OFFER.replace("62767420", "62767421").replace("a=sendrecv", "a=sendonly");
        String out = anchor.offer("c1", Leg.SIP, hold);
        assertTrue(out.contains("a=sendonly"), "hold is passed on untouched: " + out);
        assertEquals(answer("2", "0", "0 PCMU/8000") + "a=recvonly\r\n",
                anchor.answer("c1", Leg.WEB, answer("2", "0", "0 PCMU/8000") + "a=recvonly\r\n"));
    }

    @Test
    void aWithdrawnReofferLeavesTheExchangeInForce() {
        anchor.offer("c1", Leg.SIP, PHONE_OFFER);
        anchor.answer("c1", Leg.WEB, answer("1", "0", "0 PCMU/8000"));
        String webHold = answer("2", "0", "0 PCMU/8000") + "a=sendonly\r\n";
        anchor.offer("c1", Leg.WEB, webHold);
        assertThrows(SdpException.class, () -> anchor.offer("c1", Leg.WEB, webHold),
                "a second offer while the first is pending");
        anchor.withdraw("c1");
        // The phone's next offer is checked against the exchange in force again, not the refused one.
        String hold = PHONE_OFFER.replace("62767420", "62767421").replace("a=sendrecv", "a=sendonly");
        anchor.offer("c1", Leg.SIP, hold);
        assertEquals(answer("3", "0", "0 PCMU/8000") + "a=recvonly\r\n",
                anchor.answer("c1", Leg.WEB, answer("3", "0", "0 PCMU/8000") + "a=recvonly\r\n"));
        anchor.withdraw("c1");
        anchor.withdraw("nobody");
        assertThrows(SdpException.class, () -> anchor.answer("c1", Leg.WEB, answer("3", "0", "0 PCMU/8000")),
                "withdraw after an answer changes nothing: no offer is pending");
    }

    @Test
    void releaseForgetsTheCall() {
        anchor.offer("c1", Leg.SIP, PHONE_OFFER);
        anchor.release("c1");
        assertThrows(SdpException.class, () -> anchor.answer("c1", Leg.WEB, answer("1", "0", "0 PCMU/8000")));
        anchor.offer("c1", Leg.SIP, PHONE_OFFER);
    }

    @Test
    void callsDoNotShareState() {
        anchor.offer("c1", Leg.SIP, PHONE_OFFER);
        assertThrows(SdpException.class, () -> anchor.offer("c2", Leg.SIP, "garbage"));
        anchor.answer("c1", Leg.WEB, answer("1", "0", "0 PCMU/8000"));
    }

    // --- the media connector behind it

    @Test
    void aCallKeepsTheConnectorOfItsFirstOfferUntilItIsReleased() {
        List<String> log = new CopyOnWriteArrayList<>();
        Copying v1 = new Copying("v1", log);
        AtomicReference<Copying> inUse = new AtomicReference<>(v1);
        NegotiatingAnchor swapping = new NegotiatingAnchor(() -> inUse.get().pin(), new SdpParser(), CodecPolicy.defaults());

        swapping.offer("c1", Leg.SIP, PHONE_OFFER);
        inUse.set(new Copying("v2", log));
        swapping.answer("c1", Leg.WEB, answer("1", "0", "0 PCMU/8000"));
        swapping.offer("c2", Leg.SIP, PHONE_OFFER);
        swapping.release("c1");
        swapping.release("c1");

        assertEquals(List.of("v1 pinned", "v1 offer c1", "v1 answer c1", "v2 pinned", "v2 offer c2", "v1 release c1",
                "v1 unpinned"), log);
        swapping.close();
        assertEquals(List.of("v2 release c2", "v2 unpinned"), log.subList(7, log.size()), "close releases what is held");
    }

    @Test
    void aConnectorRefusingAnSdpIs488AndOneThatCannotWorkIs503() {
        MediaConnector refusing = new Copying("v1", new CopyOnWriteArrayList<>()) {
            @Override
            public String offer(String callId, MediaConnector.Leg from, String sdp) {
                throw callId.equals("refused") ? new MediaRefusedException("no common codec")
                        : new ConnectorException("media server down");
            }
        };
        NegotiatingAnchor strict = new NegotiatingAnchor(MediaConnectors.fixed(refusing), new SdpParser(),
                CodecPolicy.defaults());

        GatewayException refused = assertThrows(GatewayException.class, () -> strict.offer("refused", Leg.SIP, PHONE_OFFER));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, refused.code());
        assertEquals("no common codec", refused.getMessage());
        GatewayException down = assertThrows(GatewayException.class, () -> strict.offer("down", Leg.SIP, PHONE_OFFER));
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, down.code());
        assertEquals("media server down", down.getMessage());
    }

    @Test
    void aConnectorThatBridgesWebRtcToPlainRtpIsHeldToEachLegsProfile() {
        MediaConnector claimsToBridge = new Copying("v1", new CopyOnWriteArrayList<>()) {
            @Override
            public boolean bridgesWebRtcToPlainRtp() {
                return true;
            }
        };
        NegotiatingAnchor bridging = new NegotiatingAnchor(MediaConnectors.fixed(claimsToBridge), new SdpParser(),
                CodecPolicy.defaults());

        // It hands the browser's DTLS-SRTP offer to the phone unchanged: not plain RTP.
        SdpException e = assertThrows(SdpException.class,
                () -> bridging.offer("c1", Leg.WEB, resource("chromium-offer.sdp")));
        assertTrue(e.getMessage().contains("RTP/AVP"), e.getMessage());
        // The same offer through a copying connector is not held to a profile.
        anchor.offer("c1", Leg.WEB, resource("chromium-offer.sdp"));
    }

    // ---- DTMF as RFC 4733 events --------------------------------------------------------------

    /** A copying connector that plays DTMF: it records each tone, and fails on {@code failOn}. */
    private static final class Injecting implements MediaConnector {
        final List<String> played = new CopyOnWriteArrayList<>();
        private final char failOn;
        private final RuntimeException failure;

        Injecting(char failOn, RuntimeException failure) {
            this.failOn = failOn;
            this.failure = failure;
        }

        @Override
        public String offer(String callId, MediaConnector.Leg from, String sdp) {
            return sdp;
        }

        @Override
        public String answer(String callId, MediaConnector.Leg from, String sdp) {
            return sdp;
        }

        @Override
        public void release(String callId) {
        }

        @Override
        public boolean injectsDtmf() {
            return true;
        }

        @Override
        public void playDtmf(String callId, MediaConnector.Leg towards, char tone, int durationMs) {
            if (tone == failOn) {
                throw failure;
            }
            played.add(callId + " " + towards + " " + tone + " " + durationMs);
        }
    }

    private static NegotiatingAnchor over(MediaConnector connector) {
        return new NegotiatingAnchor(MediaConnectors.fixed(connector), new SdpParser(), CodecPolicy.defaults());
    }

    @Test
    void tonesArePlayedTowardsALegThatAgreedOnTelephoneEvent() {
        Injecting injecting = new Injecting('X', new IllegalStateException());
        NegotiatingAnchor a = over(injecting);
        a.offer("c1", Leg.SIP, PHONE_OFFER);
        GatewayException early = assertThrows(GatewayException.class, () -> a.playDtmf("c1", Leg.SIP, "1", 160));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, early.code(), "no exchange in force before the answer");
        a.answer("c1", Leg.WEB, answer("1", "0 101", "0 PCMU/8000", "101 telephone-event/8000"));

        assertEquals(3, a.playDtmf("c1", Leg.SIP, "12#", 160));
        assertEquals(List.of("c1 SIP 1 160", "c1 SIP 2 160", "c1 SIP # 160"), injecting.played);
    }

    @Test
    void noTelephoneEventAtTheAudioClockRateIs488AndNothingIsPlayed() {
        Injecting injecting = new Injecting('X', new IllegalStateException());
        NegotiatingAnchor a = over(injecting);
        a.offer("c1", Leg.SIP, PHONE_OFFER);
        a.answer("c1", Leg.WEB, answer("1", "0", "0 PCMU/8000"));
        GatewayException e = assertThrows(GatewayException.class, () -> a.playDtmf("c1", Leg.SIP, "5", 160));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertTrue(e.getMessage().contains("telephone-event"), e.getMessage());

        a.offer("c2", Leg.WEB, resource("chromium-offer.sdp"));
        a.answer("c2", Leg.SIP, "v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 4000 UDP/TLS/RTP/SAVPF 111 110\r\na=rtpmap:111 opus/48000/2\r\n"
                + "a=rtpmap:110 telephone-event/48000\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n");
        assertEquals(1, a.playDtmf("c2", Leg.SIP, "5", 160), "telephone-event/48000 goes with opus/48000");
        a.offer("c3", Leg.WEB, resource("chromium-offer.sdp"));
        a.answer("c3", Leg.SIP, "v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 4000 UDP/TLS/RTP/SAVPF 0 110\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:110 telephone-event/48000\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n");
        assertThrows(GatewayException.class, () -> a.playDtmf("c3", Leg.SIP, "5", 160),
                "RFC 4733 §7.1.1: events on another clock than the audio's are not agreed");
        assertEquals(List.of("c2 SIP 5 160"), injecting.played);
    }

    @Test
    void anAnchorThatDoesNotPlayDtmfIs488() {
        anchor.offer("c1", Leg.SIP, PHONE_OFFER);
        anchor.answer("c1", Leg.WEB, answer("1", "0 101", "0 PCMU/8000", "101 telephone-event/8000"));
        GatewayException e = assertThrows(GatewayException.class, () -> anchor.playDtmf("c1", Leg.SIP, "5", 160));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertThrows(GatewayException.class, () -> anchor.playDtmf("unknown", Leg.SIP, "5", 160));
    }

    @Test
    void aFailureOnTheFirstToneThrowsInTheGatewaysCodeOnALaterOneCountsWhatWasPlayed() {
        Injecting unreachable = new Injecting('1', new ConnectorException("media server down"));
        NegotiatingAnchor a = over(unreachable);
        a.offer("c1", Leg.SIP, PHONE_OFFER);
        a.answer("c1", Leg.WEB, answer("1", "0 101", "0 PCMU/8000", "101 telephone-event/8000"));
        GatewayException e = assertThrows(GatewayException.class, () -> a.playDtmf("c1", Leg.SIP, "12", 160));
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code());

        assertEquals(2, a.playDtmf("c1", Leg.SIP, "231", 160), "2 and 3 played, then 1 failed");
        assertEquals(List.of("c1 SIP 2 160", "c1 SIP 3 160"), unreachable.played);

        Injecting refusing = new Injecting('#', new MediaRefusedException("no media yet"));
        NegotiatingAnchor b = over(refusing);
        b.offer("c1", Leg.SIP, PHONE_OFFER);
        b.answer("c1", Leg.WEB, answer("1", "0 101", "0 PCMU/8000", "101 telephone-event/8000"));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE,
                assertThrows(GatewayException.class, () -> b.playDtmf("c1", Leg.SIP, "#", 160)).code());
    }

    /** A copying media connector that logs what it is asked, under its version. */
    private static class Copying implements MediaConnector {
        private final String version;
        private final List<String> log;

        Copying(String version, List<String> log) {
            this.version = version;
            this.log = log;
        }

        MediaConnectors.Pin pin() {
            log.add(version + " pinned");
            Copying self = this;
            return new MediaConnectors.Pin() {
                @Override
                public MediaConnector connector() {
                    return self;
                }

                @Override
                public void unpin() {
                    log.add(version + " unpinned");
                }
            };
        }

        @Override
        public String offer(String callId, MediaConnector.Leg from, String sdp) {
            log.add(version + " offer " + callId);
            return sdp;
        }

        @Override
        public String answer(String callId, MediaConnector.Leg from, String sdp) {
            log.add(version + " answer " + callId);
            return sdp;
        }

        @Override
        public void release(String callId) {
            log.add(version + " release " + callId);
        }
    }

    private static String resource(String name) {
        try (InputStream in = NegotiatingAnchorTest.class.getResourceAsStream("/sdp/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
