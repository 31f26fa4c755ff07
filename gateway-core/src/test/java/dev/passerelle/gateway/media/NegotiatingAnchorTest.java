package dev.passerelle.gateway.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.media.MediaAnchor.Leg;
import dev.passerelle.gateway.media.NegotiatingAnchor.Relay;
import dev.passerelle.gateway.media.passthrough.PassthroughAnchor;
import dev.passerelle.gateway.sdp.CodecPolicy;
import dev.passerelle.gateway.sdp.SdpException;
import dev.passerelle.gateway.sdp.SdpParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The negotiation every SDP goes through, over the pass-through anchor: the model's refusals,
 * the codec policy and the RFC 3264 rules per call, with real browser and phone offers.
 */
class NegotiatingAnchorTest {

    private final NegotiatingAnchor anchor = new NegotiatingAnchor(new PassthroughAnchor(), new SdpParser(),
            CodecPolicy.defaults(), Relay.NONE);

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

    private static String resource(String name) {
        try (InputStream in = NegotiatingAnchorTest.class.getResourceAsStream("/sdp/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
