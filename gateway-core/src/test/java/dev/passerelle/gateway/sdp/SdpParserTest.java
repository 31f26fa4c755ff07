package dev.passerelle.gateway.sdp;

import static dev.passerelle.gateway.sdp.Resources.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SdpParserTest {

    private final SdpParser parser = new SdpParser();

    @ParameterizedTest
    @ValueSource(strings = {"chromium-offer.sdp", "firefox-offer.sdp", "safari-offer.sdp", "baresip-offer.sdp", "ims-offer.sdp"})
    void writeReproducesEveryRealOfferByteForByte(String name) {
        String text = Resources.text(name);
        Sdp sdp = parser.parse(text);
        assertEquals(text, sdp.write());
        assertEquals(sdp, parser.parse(sdp.write()));
        assertEquals(sdp, parser.parse(text.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"chromium-offer.sdp", "baresip-offer.sdp", "ims-offer.sdp"})
    void bareLineFeedsGiveTheSameModelAndCanonicalOutput(String name) {
        String crlf = Resources.text(name);
        String lf = crlf.replace("\r\n", "\n");
        assertEquals(parser.parse(crlf), parser.parse(lf));
        assertEquals(crlf, parser.parse(lf).write());
    }

    @Test
    void aMissingFinalLineEndIsAccepted() {
        String text = Resources.text("baresip-offer.sdp");
        assertEquals(text, parser.parse(text.substring(0, text.length() - 2)).write());
    }

    @Test
    void chromiumOfferTypedViews() {
        Sdp sdp = Resources.parse("chromium-offer.sdp");
        assertEquals("-", sdp.origin().username());
        assertEquals("2", sdp.origin().sessionVersion());
        assertEquals(List.of(new Group("BUNDLE", List.of("0", "1"))), sdp.bundleGroups());
        assertTrue(sdp.attribute("extmap-allow-mixed").isPresent());
        assertEquals(2, sdp.media().size());

        MediaSection audio = sdp.media().get(0);
        assertEquals("audio", audio.type());
        assertEquals("UDP/TLS/RTP/SAVPF", audio.proto());
        assertEquals(List.of("opus/48000/2", "red/48000/2", "G722/8000/1", "PCMU/8000/1", "PCMA/8000/1", "CN/8000/1",
                "telephone-event/48000/1", "telephone-event/8000/1"), names(audio.codecs()));
        assertEquals(List.of(111, 63, 9, 0, 8, 13, 110, 126),
                audio.codecs().stream().map(Codec::payloadType).collect(Collectors.toList()));
        Codec opus = audio.codecs().get(0);
        assertEquals("minptime=10;useinbandfec=1", opus.fmtp());
        assertEquals("1", opus.parameters().get("useinbandfec"));
        assertEquals(List.of("transport-cc"), opus.rtcpFeedback());
        assertFalse(opus.isStatic());
        assertTrue(audio.codecs().get(3).isStatic());
        assertEquals(Optional.of("0"), audio.mid());
        assertEquals(Direction.SENDRECV, sdp.direction(audio));
        assertEquals(Optional.of(Direction.SENDRECV), audio.direction());
        assertEquals(Optional.of("3WYa"), audio.iceUfrag());
        assertEquals(Optional.of("1U83xIocxx0vRmZ/Eh/cw9ZI"), audio.icePwd());
        assertEquals(List.of("trickle"), audio.iceOptions());
        assertEquals(Optional.of(SetupRole.ACTPASS), audio.setup());
        Fingerprint fp = audio.fingerprints().get(0);
        assertEquals("sha-256", fp.hashFunction());
        assertEquals(32 * 3 - 1, fp.value().length());
        assertTrue(audio.rtcpMux());
        assertEquals(Optional.of(Connection.of("IN", "IP4", "127.0.0.1")), sdp.connection(audio));

        List<Candidate> candidates = audio.candidates();
        assertEquals(5, candidates.size());
        Candidate tcp = candidates.get(0);
        assertEquals("tcp", tcp.transport());
        assertEquals(new Candidate.Extension("tcptype", "active"), tcp.extensions().get(0));
        assertEquals("::1", candidates.get(2).address());
        Candidate host = candidates.get(4);
        assertEquals(1, host.component());
        assertEquals("udp", host.transport());
        assertEquals(2122194687L, host.priority());
        assertEquals("127.0.0.1", host.address());
        assertEquals(audio.port(), host.port());
        assertEquals("host", host.type());
        assertEquals(new Candidate.Extension("generation", "0"), host.extensions().get(0));
        assertEquals(audio.values("candidate").get(4), host.toString());

        List<Ssrc> ssrcs = audio.ssrcs();
        assertEquals(2, ssrcs.size());
        assertEquals("cname", ssrcs.get(0).attribute());
        assertEquals(ssrcs.get(0).ssrc(), ssrcs.get(1).ssrc());

        MediaSection video = sdp.media().get(1);
        List<Codec> v = video.codecs();
        assertEquals("VP8", v.get(0).name());
        assertEquals(90000, v.get(0).clockRate());
        assertEquals(List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"), v.get(0).rtcpFeedback());
        assertEquals("rtx", v.get(1).name());
        assertEquals("96", v.get(1).parameters().get("apt"));
        assertEquals(Optional.of("1"), video.mid());
        assertEquals(List.of("FID " + video.ssrcs().get(0).ssrc() + " " + video.ssrcs().get(2).ssrc()),
                video.values("ssrc-group"));
        assertTrue(sdp.isWebRtc(audio));
        assertTrue(sdp.isWebRtc(video));
        assertFalse(sdp.isPlainRtp(audio));
    }

    @Test
    void firefoxSessionLevelFingerprintIsInherited() {
        Sdp sdp = Resources.parse("firefox-offer.sdp");
        MediaSection audio = sdp.media().get(0);
        assertTrue(audio.fingerprints().isEmpty());
        assertEquals(1, sdp.fingerprints(audio).size());
        assertEquals(List.of("trickle"), sdp.iceOptions(audio));
        assertTrue(sdp.isWebRtc(audio));
        assertEquals(List.of("opus/48000/2", "G722/8000/1", "PCMU/8000/1", "PCMA/8000/1", "telephone-event/8000/1"),
                names(audio.codecs()));
        assertEquals("maxplaybackrate=48000;stereo=1;useinbandfec=1", audio.codecs().get(0).fmtp());
        assertEquals("0-15", audio.codecs().get(4).fmtp());
        assertTrue(audio.codecs().get(4).parameters().isEmpty());
    }

    @Test
    void safariRecvonlyVideo() {
        Sdp sdp = Resources.parse("safari-offer.sdp");
        assertEquals(Direction.SENDRECV, sdp.direction(sdp.media().get(0)));
        assertEquals(Direction.RECVONLY, sdp.direction(sdp.media().get(1)));
        assertEquals("H264", sdp.media().get(1).codecs().get(0).name());
        assertTrue(sdp.media().get(1).ssrcs().isEmpty());
    }

    @Test
    void baresipPlainRtpOffer() {
        Sdp sdp = Resources.parse("baresip-offer.sdp");
        MediaSection audio = sdp.media().get(0);
        assertEquals("RTP/AVP", audio.proto());
        assertEquals(List.of("PCMU/8000/1", "PCMA/8000/1", "G722/8000/1", "telephone-event/8000/1"), names(audio.codecs()));
        assertEquals(Connection.of("IN", "IP4", "127.0.0.1"), sdp.connection());
        assertTrue(audio.connections().isEmpty());
        assertEquals(Optional.of(sdp.connection()), sdp.connection(audio));
        assertEquals("sip:alice@127.0.0.1", audio.ssrcs().get(0).value());
        assertTrue(sdp.isPlainRtp(audio));
        assertFalse(sdp.isWebRtc(audio));
        assertTrue(audio.iceUfrag().isEmpty());
    }

    @Test
    void imsOfferWithPreconditions() {
        Sdp sdp = Resources.parse("ims-offer.sdp");
        assertEquals(List.of(new Bandwidth("AS", 41)), sdp.bandwidths());
        MediaSection audio = sdp.media().get(0);
        assertEquals(List.of(new Bandwidth("AS", 41), new Bandwidth("RS", 512), new Bandwidth("RR", 1537)), audio.bandwidths());
        assertEquals(List.of("AMR-WB/16000/1", "AMR-WB/16000/1", "AMR/8000/1", "telephone-event/16000/1",
                "telephone-event/8000/1"), names(audio.codecs()));
        assertEquals(List.of("qos local none", "qos remote none"), audio.values("curr"));
        assertEquals(List.of("qos mandatory local sendrecv", "qos optional remote sendrecv"), audio.values("des"));
        assertEquals("1", audio.codecs().get(1).parameters().get("octet-align"));
    }

    @Test
    void sessionDirectionIsInheritedAndDefaultIsSendrecv() {
        String base = lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "a=sendonly",
                "m=audio 4000 RTP/AVP 0", "m=audio 4002 RTP/AVP 0", "a=inactive");
        Sdp sdp = parser.parse(base);
        assertEquals(Direction.SENDONLY, sdp.direction(sdp.media().get(0)));
        assertEquals(Direction.INACTIVE, sdp.direction(sdp.media().get(1)));
        Sdp plain = parser.parse(lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
                "m=audio 4000 RTP/AVP 0"));
        assertEquals(Direction.SENDRECV, plain.direction(plain.media().get(0)));
    }

    @Test
    void everyRfc8866LineTypeInItsOrderRoundTrips() {
        String text = lines("v=0", "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1", "s=Call to John Smith",
                "i=A Seminar on the session description protocol", "u=http://www.example.com/seminars/sdp.pdf",
                "e=j.doe@example.com (Jane Doe)", "p=+1 617 555-6011", "c=IN IP4 233.252.0.1/127/2", "b=AS:64",
                "t=2873397496 2873404696", "r=7d 1h 0 25h", "t=0 0", "z=2882844526 -1h 2898848070 0", "k=prompt",
                "a=recvonly", "m=audio 49170/2 RTP/AVP 0", "i=voice", "c=IN IP6 ff15::101/3", "c=IN IP4 233.252.0.2/127",
                "b=TIAS:64000", "k=prompt", "a=ptime:20", "m=application 5000 udp wb", "a=orient:portrait");
        Sdp sdp = parser.parse(text);
        assertEquals(text, sdp.write());
        assertEquals(new Connection("IN", "IP4", "233.252.0.1", 127, 2), sdp.connection());
        assertEquals(2, sdp.timings().size());
        assertEquals(List.of("7d 1h 0 25h"), sdp.timings().get(0).repeats());
        assertEquals(Integer.valueOf(2), sdp.media().get(0).portCount());
        assertEquals(new Connection("IN", "IP6", "ff15::101", null, 3), sdp.media().get(0).connections().get(0));
        assertEquals(List.of(), sdp.media().get(1).codecs());
        assertEquals(List.of("wb"), sdp.media().get(1).formats());
    }

    @Test
    void legacyHoldAddressIsRecognised() {
        Sdp sdp = parser.parse(lines("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "c=IN IP4 0.0.0.0", "t=0 0",
                "m=audio 4000 RTP/AVP 0"));
        assertTrue(sdp.connection().isHoldAddress());
    }

    @Test
    void errorsAre488WithLineAndEscapedTruncatedExcerpt() {
        String body = lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
                "m=audio 4000 RTP/AVP 111", "a=rtpmap:abc opus/48000");
        SdpException e = assertThrows(SdpException.class, () -> parser.parse(body));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertEquals(7, e.line());
        assertEquals("sdp line 7 (a=rtpmap:abc opus/48000): payload type is not a number 0-127", e.getMessage());

        String longLine = "s=" + "x".repeat(30) + "\u0001" + "y".repeat(100);
        SdpException e2 = assertThrows(SdpException.class,
                () -> parser.parse(lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", longLine)));
        assertEquals("sdp line 3 (s=" + "x".repeat(30) + "\\x01" + "y".repeat(27) + "...): control character \\x01 at column 33",
                e2.getMessage());
        for (char c : e2.getMessage().toCharArray()) {
            assertTrue(c >= 0x20 && c != 0x7f, "raw control character in the message");
        }
    }

    @Test
    void theParserKeepsNoStateBetweenParses() {
        String good = Resources.text("chromium-offer.sdp");
        Sdp first = parser.parse(good);
        String truncatedMidAttribute = good.substring(0, good.indexOf("a=rtpmap:111") + 9);
        assertThrows(SdpException.class, () -> parser.parse(truncatedMidAttribute));
        assertThrows(SdpException.class, () -> parser.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n\0"));
        assertThrows(SdpException.class, () -> parser.parse(good.replace("m=video", "m=video\0")));
        assertEquals(first, parser.parse(good));
        assertEquals(Resources.parse("baresip-offer.sdp"), parser.parse(Resources.text("baresip-offer.sdp")));
    }

    @Test
    void limitsAreConfigurable() {
        SdpParser small = new SdpParser(new SdpLimits(200, 1));
        SdpException tooBig = assertThrows(SdpException.class, () -> small.parse(Resources.text("baresip-offer.sdp")));
        assertEquals("body of 360 bytes exceeds the limit of 200 bytes", tooBig.reason());
        SdpParser oneSection = new SdpParser(new SdpLimits(64 * 1024, 1));
        SdpException tooMany = assertThrows(SdpException.class, () -> oneSection.parse(Resources.text("safari-offer.sdp")));
        assertEquals("more than 1 media sections", tooMany.reason());
        assertEquals(Resources.text("safari-offer.sdp").lines().collect(Collectors.toList()).indexOf(
                "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 127 125 104 105") + 1, tooMany.line());
    }

    private static List<String> names(List<Codec> codecs) {
        return codecs.stream().map(c -> c.name() + "/" + c.clockRate() + "/" + c.channels()).collect(Collectors.toList());
    }
}
