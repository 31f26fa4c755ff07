package dev.passerelle.gateway.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TranslationTest {

    @Test
    void aBrowserOfferLosesItsWebRtcOnlyAttributesAndKeepsItsMedia() {
        Sdp in = Resources.parse("chromium-offer.sdp");
        Sdp out = Translation.toPlainRtp(in);
        String text = out.write();
        for (String gone : new String[] {"a=group:", "a=msid-semantic", "a=extmap", "a=msid:", "a=ssrc:", "a=rtcp-fb:",
                "a=rtcp-rsize", "a=mid:", "a=candidate:", "a=ice-ufrag:", "a=fingerprint:", "a=setup:"}) {
            assertFalse(text.contains(gone), gone + " left in\n" + text);
        }
        assertEquals(in.media().size(), out.media().size());
        for (int i = 0; i < in.media().size(); i++) {
            assertEquals(in.media().get(i).formats(), out.media().get(i).formats());
            assertEquals(withoutFeedback(in.media().get(i)), withoutFeedback(out.media().get(i)),
                    "rtpmap and fmtp kept; only rtcp-fb goes");
            assertEquals(in.direction(in.media().get(i)), out.direction(out.media().get(i)));
        }
        assertEquals(text, new SdpParser().parse(text).write(), "what is left is a valid description");
    }

    @Test
    void holdSurvivesTheTranslation() {
        String offer = Resources.parse("chromium-offer.sdp").write();
        assertTrue(offer.contains("a=sendrecv"), "the capture offers sendrecv");
        for (String held : new String[] {"sendonly", "inactive", "recvonly"}) {
            Sdp out = Translation.toPlainRtp(new SdpParser().parse(offer.replace("a=sendrecv", "a=" + held)));
            for (MediaSection m : out.media()) {
                assertEquals(held, out.direction(m).attribute(), "call.update to " + held + " reaches the phone as it");
            }
        }
    }

    @Test
    void whatIsNotWebRtcsStays() {
        Sdp in = Resources.parse("ims-offer.sdp");
        assertTrue(Translation.toPlainRtp(in).write().contains("a=curr:qos local none"),
                "preconditions (RFC 3312) are not WebRTC's");
    }

    private static java.util.List<String> withoutFeedback(MediaSection m) {
        return m.codecs().stream().map(c -> c.payloadType() + " " + c.name() + "/" + c.clockRate() + "/"
                + c.channels() + " " + c.fmtp()).toList();
    }
}
