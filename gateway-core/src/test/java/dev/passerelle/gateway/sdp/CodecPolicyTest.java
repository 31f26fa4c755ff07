package dev.passerelle.gateway.sdp;

import static dev.passerelle.gateway.sdp.Resources.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.passerelle.gateway.error.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CodecPolicyTest {

    private final SdpParser parser = new SdpParser();
    private final CodecPolicy defaults = CodecPolicy.defaults();

    /**
     * An offer whose first section is {@code type} with the given codecs, each {@code "pt name/clock[/ch][;fmtp]"};
     * an audio PCMU section follows a video one so that the offer survives a rejected video.
     */
    private Sdp offer(String type, String... codecs) {
        List<String> l = new ArrayList<>(List.of("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0"));
        StringBuilder m = new StringBuilder("m=" + type + " 4000 RTP/AVP");
        List<String> attrs = new ArrayList<>();
        for (String c : codecs) {
            String[] parts = c.split(";", 2);
            String pt = parts[0].substring(0, parts[0].indexOf(' '));
            m.append(' ').append(pt);
            attrs.add("a=rtpmap:" + parts[0]);
            if (parts.length == 2) {
                attrs.add("a=fmtp:" + pt + " " + parts[1]);
            }
            attrs.add("a=rtcp-fb:" + pt + " nack");
        }
        l.add(m.toString());
        l.addAll(attrs);
        if ("video".equals(type)) {
            l.addAll(List.of("m=audio 4002 RTP/AVP 0", "a=rtpmap:0 PCMU/8000"));
        }
        return parser.parse(lines(l.toArray(new String[0])));
    }

    static Stream<Arguments> audioTable() {
        String[] chromium = {"111 opus/48000/2;minptime=10;useinbandfec=1", "63 red/48000/2;111/111", "9 G722/8000",
                "0 PCMU/8000", "8 PCMA/8000", "13 CN/8000", "110 telephone-event/48000", "126 telephone-event/8000"};
        return Stream.of(
                arguments("Chromium audio", List.of(), chromium, "111 9 0 8 110 126"),
                arguments("baresip: G722 moves before G.711", List.of(), new String[] {"0 PCMU/8000", "8 PCMA/8000",
                        "9 G722/8000", "101 telephone-event/8000;0-15"}, "9 0 8 101"),
                arguments("G.711 A-law and DTMF", List.of(), new String[] {"8 PCMA/8000", "101 telephone-event/8000"}, "8 101"),
                arguments("DTMF needs a codec of its clock rate", List.of(), new String[] {"111 opus/48000/2",
                        "101 telephone-event/8000"}, "111"),
                arguments("names are case-insensitive", List.of(), new String[] {"96 OPUS/48000/2", "97 pcma/8000"}, "96 97"),
                arguments("AMR-WB only: rejected", List.of(), new String[] {"116 AMR-WB/16000/1", "105 telephone-event/16000"}, "port 0"),
                arguments("DTMF alone: rejected", List.of(), new String[] {"101 telephone-event/8000"}, "port 0"),
                arguments("operator prefers PCMA", List.of("PCMA", "PCMU", "telephone-event"),
                        new String[] {"0 PCMU/8000", "8 PCMA/8000", "101 telephone-event/8000"}, "8 0 101"),
                arguments("DTMF not allowed", List.of("PCMU"), new String[] {"0 PCMU/8000", "101 telephone-event/8000"}, "0"),
                arguments("CN allowed with a codec of its rate", List.of("PCMU", "CN"), new String[] {"0 PCMU/8000",
                        "13 CN/8000", "118 CN/16000"}, "0 13"),
                arguments("red allowed, carrying a kept codec", List.of("opus", "red"), chromium, "111 63"),
                arguments("red carrying a dropped codec", List.of("opus", "red"), new String[] {"111 opus/48000/2",
                        "63 red/48000/2;96/96", "96 L16/48000/2"}, "111"),
                arguments("same name keeps offer order", List.of(), new String[] {"97 PCMA/8000", "8 PCMA/8000"}, "97 8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("audioTable")
    void audioPolicy(String name, List<String> audioPolicy, String[] codecs, String expected) {
        CodecPolicy policy = audioPolicy.isEmpty() ? defaults : new CodecPolicy(audioPolicy, List.of("VP8"));
        Sdp in = offer("audio", codecs);
        if ("port 0".equals(expected)) {
            SdpException e = assertThrows(SdpException.class, () -> policy.apply(in));
            assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
            assertTrue(e.reason().startsWith("no audio or video stream left after the codec policy"), e.reason());
            assertTrue(CodecPolicy.reject(in.media().get(0)).isRejected());
            return;
        }
        MediaSection out = policy.apply(in).media().get(0);
        assertEquals(expected, String.join(" ", out.formats()));
        assertFormatLinesMatch(out);
    }

    static Stream<Arguments> videoTable() {
        return Stream.of(
                arguments("VP8 with rtx, H264 with rtx; VP9, AV1 and their rtx go", new String[] {"98 VP9/90000",
                        "99 rtx/90000;apt=98", "102 H264/90000;packetization-mode=1", "103 rtx/90000;apt=102", "96 VP8/90000",
                        "97 rtx/90000;apt=96", "45 AV1/90000", "46 rtx/90000;apt=45"}, "96 97 102 103"),
                arguments("several H264 profiles keep offer order", new String[] {"104 H264/90000;profile-level-id=42e01f",
                        "102 H264/90000;profile-level-id=42001f", "105 rtx/90000;apt=102"}, "104 102 105"),
                arguments("rtx of a dropped codec goes", new String[] {"96 VP8/90000", "97 rtx/90000;apt=98", "98 VP9/90000"}, "96"),
                arguments("VP9 only: rejected, the audio stays", new String[] {"98 VP9/90000", "99 rtx/90000;apt=98"}, "port 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videoTable")
    void videoPolicy(String name, String[] codecs, String expected) {
        Sdp out = defaults.apply(offer("video", codecs));
        MediaSection video = out.media().get(0);
        assertEquals(2, out.media().size());
        assertEquals("video", video.type());
        if ("port 0".equals(expected)) {
            assertTrue(video.isRejected());
            assertEquals(List.of(codecs[0].substring(0, codecs[0].indexOf(' '))), video.formats());
            assertFalse(out.media().get(1).isRejected());
        } else {
            assertEquals(expected, String.join(" ", video.formats()));
            assertFormatLinesMatch(video);
        }
        assertEquals(out, parser.parse(out.write()));
    }

    /** Every rtpmap/fmtp/rtcp-fb line left names a kept payload type, and every kept one has its rtpmap and rtcp-fb. */
    private static void assertFormatLinesMatch(MediaSection m) {
        for (Attribute a : m.attributes()) {
            if (List.of("rtpmap", "fmtp", "rtcp-fb").contains(a.name())) {
                assertTrue(m.formats().contains(Attributes.firstField(a.value())), "stray " + a);
            }
        }
        for (Codec c : m.codecs()) {
            assertEquals(List.of("nack"), c.rtcpFeedback(), "rtcp-fb of " + c.payloadType());
        }
    }

    @Test
    void chromiumOfferKeepsEverythingButTheDroppedFormats() {
        Sdp in = Resources.parse("chromium-offer.sdp");
        Sdp out = defaults.apply(in);
        MediaSection audio = out.media().get(0);
        MediaSection video = out.media().get(1);
        assertEquals(List.of("111", "9", "0", "8", "110", "126"), audio.formats());
        assertEquals(List.of("96", "97", "102", "103", "104", "107", "108", "109", "114", "115", "116", "117", "39", "40"),
                video.formats());
        for (String gone : List.of("a=rtpmap:63 ", "a=fmtp:63 ", "a=rtpmap:13 ", "a=rtpmap:45 ", "a=fmtp:46 ", "a=rtcp-fb:98 ",
                "a=rtpmap:118 ", "a=rtpmap:120 ")) {
            assertFalse(out.write().contains(gone), gone);
        }
        assertEquals(in.attributes(), out.attributes());
        assertEquals(in.origin(), out.origin());
        assertEquals(in.media().get(0).candidates(), audio.candidates());
        assertEquals(in.media().get(1).ssrcs(), video.ssrcs());
        assertEquals(in.media().get(1).values("extmap"), video.values("extmap"));
        assertEquals(in.media().get(0).attributes().size() - 3, audio.attributes().size());
        assertEquals(out, parser.parse(out.write()));
        assertEquals(out, defaults.apply(out));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sendonly", "recvonly", "inactive", "sendrecv"})
    void holdDirectionsAndTheLegacyHoldAddressAreKept(String direction) {
        Sdp in = parser.parse(lines("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "c=IN IP4 0.0.0.0", "t=0 0",
                "m=audio 4000 RTP/AVP 0 18", "a=rtpmap:18 G729/8000", "a=" + direction));
        Sdp out = defaults.apply(in);
        assertEquals(in.media().get(0).direction(), out.media().get(0).direction());
        assertTrue(out.connection().isHoldAddress());
        assertEquals(List.of("0"), out.media().get(0).formats());
    }

    @Test
    void sessionLevelHoldIsKept() {
        Sdp in = parser.parse(lines("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "a=sendonly",
                "m=audio 4000 RTP/AVP 0"));
        Sdp out = defaults.apply(in);
        assertEquals(Direction.SENDONLY, out.direction(out.media().get(0)));
    }

    @Test
    void aStreamAlreadyRejectedStaysAsItIs() {
        Sdp in = parser.parse(lines("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
                "m=video 0 RTP/AVP 31", "m=audio 4000 RTP/AVP 0", "m=application 5000 UDP/DTLS/SCTP webrtc-datachannel",
                "a=sctp-port:5000"));
        Sdp out = defaults.apply(in);
        assertEquals(in, out);
    }

    @Test
    void aRejectedBundledSectionKeepsItsPlaceAndLeavesTheBundle() {
        Sdp in = Resources.parse("firefox-offer.sdp");
        Sdp out = new CodecPolicy(List.of("opus"), List.of("AV1")).apply(in);
        assertEquals(2, out.media().size());
        MediaSection video = out.media().get(1);
        assertTrue(video.isRejected());
        assertEquals("video", video.type());
        assertEquals(List.of("120"), video.formats());
        assertEquals(List.of(Attribute.of("mid", "1"), Attribute.of("rtpmap", "120 VP8/90000")), video.attributes());
        assertEquals(List.of(new Group("BUNDLE", List.of("0"))), out.bundleGroups());
        assertEquals(List.of("109"), out.media().get(0).formats());
        assertEquals(out, parser.parse(out.write()));
    }

    @Test
    void noSurvivingStreamIs488NamingTheOfferedCodecs() {
        SdpException e = assertThrows(SdpException.class, () -> defaults.apply(Resources.parse("ims-offer.sdp")));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertEquals("no audio or video stream left after the codec policy (offered AMR-WB, AMR, telephone-event;"
                + " allowed audio [opus, g722, pcmu, pcma, telephone-event], video [vp8, h264])", e.reason());
    }

    @Test
    void everyRealBrowserAndPhoneOfferSurvivesTheDefaults() {
        for (String name : List.of("chromium-offer.sdp", "firefox-offer.sdp", "safari-offer.sdp", "baresip-offer.sdp")) {
            Sdp out = defaults.apply(Resources.parse(name));
            for (MediaSection m : out.media()) {
                assertFalse(m.isRejected(), name + " " + m.type());
            }
        }
    }

    @Test
    void policyNamesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new CodecPolicy(List.of("opus", "OPUS"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new CodecPolicy(List.of("op us"), List.of()));
        assertEquals(Arrays.asList("opus", "g722", "pcmu", "pcma", "telephone-event"), defaults.audio());
    }
}
