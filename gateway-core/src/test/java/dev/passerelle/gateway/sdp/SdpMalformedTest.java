package dev.passerelle.gateway.sdp;

import static dev.passerelle.gateway.sdp.Resources.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.passerelle.gateway.error.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a description can be malformed, each with the line and the reason the parser must give. */
class SdpMalformedTest {

    private static final String HUGE = "99999999999999999999";

    /** A valid plain RTP offer; cases replace or insert lines of it (1-based). */
    private static final List<String> BASE = List.of(
            "v=0",                                  // 1
            "o=- 1 1 IN IP4 127.0.0.1",             // 2
            "s=-",                                  // 3
            "c=IN IP4 127.0.0.1",                   // 4
            "t=0 0",                                // 5
            "m=audio 4000 RTP/AVP 0 8 101",         // 6
            "a=rtpmap:0 PCMU/8000",                 // 7
            "a=rtpmap:101 telephone-event/8000",    // 8
            "a=fmtp:101 0-16");                     // 9

    private final SdpParser parser = new SdpParser();

    private static String replace(int line, String text) {
        List<String> l = new ArrayList<>(BASE);
        l.set(line - 1, text);
        return lines(l.toArray(new String[0]));
    }

    private static String insert(int line, String... text) {
        List<String> l = new ArrayList<>(BASE);
        l.addAll(line - 1, Arrays.asList(text));
        return lines(l.toArray(new String[0]));
    }

    private static String remove(int line) {
        List<String> l = new ArrayList<>(BASE);
        l.remove(line - 1);
        return lines(l.toArray(new String[0]));
    }

    @Test
    void theBaseIsValid() {
        assertEquals(lines(BASE.toArray(new String[0])), parser.parse(lines(BASE.toArray(new String[0]))).write());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("NUL byte", replace(3, "s=a\0b"), 3, "control character \\x00 at column 4"),
                arguments("NUL as a line", lines("v=0", "\0"), 2, "control character \\x00 at column 1"),
                arguments("escape control", replace(3, "s=\u001b[31m"), 3, "control character \\x1B at column 3"),
                arguments("DEL", replace(3, "s=\u007f"), 3, "control character \\x7F at column 3"),
                arguments("C1 control", replace(3, "s=\u0085"), 3, "control character \\u0085 at column 3"),
                arguments("tab", replace(3, "s=\t-"), 3, "control character \\x09 at column 3"),
                arguments("unpaired surrogate", replace(3, "s=\ud800x"), 3, "unpaired surrogate at column 3 (not UTF-8 text)"),
                arguments("CR alone between lines", "v=0\ro=- 1 1 IN IP4 127.0.0.1\r\n", 1,
                        "CR without LF at column 4 (lines end with CRLF or LF, RFC 8866 §5)"),
                arguments("CR alone at the end", lines(BASE.toArray(new String[0])) + "a=sendrecv\r", 10,
                        "CR without LF at column 11 (lines end with CRLF or LF, RFC 8866 §5)"),
                arguments("huge port", replace(6, "m=audio " + HUGE + " RTP/AVP 0"), 6, "port is not a number 0-65535"),
                arguments("port 65536", replace(6, "m=audio 65536 RTP/AVP 0"), 6, "port is not a number 0-65535"),
                arguments("negative port", replace(6, "m=audio -1 RTP/AVP 0"), 6, "port is not a number 0-65535"),
                arguments("port with sign", replace(6, "m=audio +4000 RTP/AVP 0"), 6, "port is not a number 0-65535"),
                arguments("huge port count", replace(6, "m=audio 4000/" + HUGE + " RTP/AVP 0"), 6,
                        "number of ports is not a number 1-65535"),
                arguments("huge payload type", replace(6, "m=audio 4000 RTP/AVP " + HUGE), 6, "payload type is not a number 0-127"),
                arguments("payload type 128", replace(6, "m=audio 4000 RTP/AVP 128"), 6, "payload type is not a number 0-127"),
                arguments("payload type twice", replace(6, "m=audio 4000 RTP/AVP 0 8 0"), 6, "payload type 0 appears twice on the m= line"),
                arguments("huge rtpmap payload type", replace(7, "a=rtpmap:" + HUGE + " PCMU/8000"), 7, "payload type is not a number 0-127"),
                arguments("rtpmap payload type not a number", replace(7, "a=rtpmap:abc opus/48000"), 7, "payload type is not a number 0-127"),
                arguments("huge clock rate", replace(7, "a=rtpmap:0 PCMU/" + HUGE), 7, "clock rate is not a number 1-2147483647"),
                arguments("clock rate 0", replace(7, "a=rtpmap:0 PCMU/0"), 7, "clock rate is not a number 1-2147483647"),
                arguments("huge channels", replace(7, "a=rtpmap:0 PCMU/8000/" + HUGE), 7, "channels is not a number 1-255"),
                arguments("rtpmap without clock rate", replace(7, "a=rtpmap:0 PCMU"), 7, "rtpmap encoding needs a clock rate (RFC 8866 §6.6)"),
                arguments("huge session version", replace(2, "o=- 1 " + HUGE + " IN IP4 127.0.0.1"), 2,
                        "o= session version is not a number 0-18446744073709551615"),
                arguments("huge session id", replace(2, "o=- 184467440737095516160 1 IN IP4 127.0.0.1"), 2,
                        "o= session id is not a number 0-18446744073709551615"),
                arguments("o= with five fields", replace(2, "o=- 1 1 IN IP4"), 2,
                        "o= needs 6 fields: username sess-id sess-version nettype addrtype address (RFC 8866 §5.2)"),
                arguments("huge bandwidth", insert(5, "b=AS:" + HUGE), 5, "bandwidth is not a number 0-4294967295"),
                arguments("bandwidth without type", insert(5, "b=64"), 5, "b= needs <bwtype>:<bandwidth> (RFC 8866 §5.8)"),
                arguments("huge ttl", replace(4, "c=IN IP4 233.252.0.1/" + HUGE), 4, "c= ttl is not a number 0-255"),
                arguments("ttl on unicast", replace(4, "c=IN IP4 127.0.0.1/127"), 4,
                        "c= ttl is only allowed with an IPv4 multicast address (RFC 8866 §5.7)"),
                arguments("IPv4 octet 300", replace(4, "c=IN IP4 300.1.1.1"), 4, "c= address is not an IPv4 address"),
                arguments("three-part IPv4", replace(4, "c=IN IP4 10.1.1"), 4, "c= address is not an IPv4 address"),
                arguments("garbage address", replace(4, "c=IN IP4 exa$mple"), 4, "c= address is not an address"),
                arguments("huge start time", replace(5, "t=" + HUGE + " 0"), 5, "start time is not a number 0-9999999999"),
                arguments("t= with one time", replace(5, "t=0"), 5, "t= needs a start and a stop time (RFC 8866 §5.9)"),
                arguments("missing c=", remove(4), 5, "no c= line in this media section nor at session level (RFC 8866 §5.7)"),
                arguments("unknown line type", insert(5, "x=foo"), 5, "unknown line type 'x' (RFC 8866 §5)"),
                arguments("upper-case type", replace(1, "V=0"), 1, "not a <type>=<value> line (RFC 8866 §5)"),
                arguments("no '='", insert(5, "hello"), 5, "not a <type>=<value> line (RFC 8866 §5)"),
                arguments("first line not v=", remove(1), 1, "first line must be v=0 (RFC 8866 §5.1)"),
                arguments("version 1", replace(1, "v=1"), 1, "version must be 0 (RFC 8866 §5.1)"),
                arguments("s= before o=", lines("v=0", "s=-", "o=- 1 1 IN IP4 127.0.0.1"), 2, "o= line expected after v= (RFC 8866 §5.2)"),
                arguments("no s=", remove(3), 3, "s= line expected after o= (RFC 8866 §5.3)"),
                arguments("c= after t=", lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0", "c=IN IP4 127.0.0.1"), 5,
                        "c= line out of order (RFC 8866 §5)"),
                arguments("i= after c=", insert(5, "i=info"), 5, "i= line out of order (RFC 8866 §5)"),
                arguments("second c=", insert(5, "c=IN IP4 127.0.0.2"), 5, "second c= line (RFC 8866 §5)"),
                arguments("second v=", insert(2, "v=0"), 2, "o= line expected after v= (RFC 8866 §5.2)"),
                arguments("second o=", insert(3, "o=- 1 1 IN IP4 127.0.0.1"), 3, "s= line expected after o= (RFC 8866 §5.3)"),
                arguments("r= without t=", insert(5, "r=7d 1h 0"), 5, "r= line must follow a t= line (RFC 8866 §5.10)"),
                arguments("a= before t=", insert(5, "a=sendrecv"), 5, "t= line missing before this line (RFC 8866 §5.9)"),
                arguments("m= without t=", lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "m=audio 4000 RTP/AVP 0"), 5,
                        "t= line missing before this line (RFC 8866 §5.9)"),
                arguments("t= in a media section", insert(7, "t=0 0"), 7, "t= line is not allowed in a media section (RFC 8866 §5)"),
                arguments("c= after a= in a media section", insert(8, "c=IN IP4 127.0.0.1"), 8, "c= line out of order (RFC 8866 §5)"),
                arguments("second i= in a media section", insert(7, "i=a", "i=b"), 8, "second i= line (RFC 8866 §5)"),
                arguments("whitespace before '='", replace(1, "v =0"), 1, "whitespace before '=' (RFC 8866 §5)"),
                arguments("whitespace after '='", replace(4, "c= IN IP4 127.0.0.1"), 4, "whitespace after '=' (RFC 8866 §5)"),
                arguments("whitespace around '='", replace(6, "m = audio 4000 RTP/AVP 0"), 6, "whitespace before '=' (RFC 8866 §5)"),
                arguments("leading whitespace", replace(3, " s=-"), 3, "line starts with whitespace (RFC 8866 §5)"),
                arguments("whitespace in attribute", replace(7, "a= rtpmap:0 PCMU/8000"), 7, "whitespace after '=' (RFC 8866 §5)"),
                arguments("two spaces in m=", replace(6, "m=audio  4000 RTP/AVP 0"), 6, "m= has an empty field (fields are separated by one space)"),
                arguments("trailing space in m=", replace(6, "m=audio 4000 RTP/AVP 0 "), 6,
                        "m= has an empty field (fields are separated by one space)"),
                arguments("m= without formats", replace(6, "m=audio 4000 RTP/AVP"), 6,
                        "m= needs media, port, proto and at least one format (RFC 8866 §5.14)"),
                arguments("media type not a token", replace(6, "m=au(dio 4000 RTP/AVP 0"), 6, "media type is not a token (RFC 8866 §9)"),
                arguments("proto not a token", replace(6, "m=audio 4000 RTP//AVP 0"), 6, "proto is not token *(\"/\" token) (RFC 8866 §9)"),
                arguments("empty value", insert(5, "u="), 5, "u= line has an empty value (RFC 8866 §5)"),
                arguments("empty line", insert(5, ""), 5, "empty line (RFC 8866 §5)"),
                arguments("attribute name not a token", insert(10, "a=rtp map:0 PCMU/8000"), 10, "attribute name is not a token (RFC 8866 §9)"),
                arguments("attribute with empty value", replace(7, "a=rtpmap:"), 7, "attribute rtpmap has an empty value (RFC 8866 §5.13)"),
                arguments("property attribute with a value", insert(10, "a=sendrecv:yes"), 10, "attribute sendrecv takes no value"),
                arguments("two directions", insert(10, "a=sendrecv", "a=sendonly"), 11, "second direction attribute at the same level"),
                arguments("rtpmap at session level", insert(6, "a=rtpmap:0 PCMU/8000"), 6, "attribute rtpmap is only allowed in a media section"),
                arguments("group in a media section", insert(10, "a=group:BUNDLE 0"), 10, "attribute group is only allowed at session level (RFC 5888 §5)"),
                arguments("rtpmap for a payload type not on m=", replace(7, "a=rtpmap:96 opus/48000/2"), 7,
                        "payload type 96 is not on the m= line (RFC 8866 §6.6)"),
                arguments("second rtpmap", insert(8, "a=rtpmap:0 PCMU/8000"), 8, "second rtpmap for payload type 0"),
                arguments("dynamic payload type without rtpmap", replace(8, "a=ptime:20"), 6,
                        "payload type 101 has no a=rtpmap (RFC 8866 §6.6)"),
                arguments("fmtp for a payload type not on m=", replace(9, "a=fmtp:102 0-16"), 9, "payload type 102 of fmtp is not on the m= line"),
                arguments("fmtp without parameters", replace(9, "a=fmtp:101"), 9, "fmtp needs a format and parameters"),
                arguments("rtcp-fb for a payload type not on m=", insert(10, "a=rtcp-fb:96 nack"), 10, "payload type 96 of rtcp-fb is not on the m= line"),
                arguments("bad fingerprint length", insert(10, "a=fingerprint:sha-256 AB:CD"), 10, "fingerprint of sha-256 must have 32 bytes, not 2"),
                arguments("bad fingerprint hex", insert(10, "a=fingerprint:sha-1 ZZ"), 10, "fingerprint is not hex pairs separated by ':' (RFC 8122 §5)"),
                arguments("fingerprint without value", insert(10, "a=fingerprint:sha-256"), 10, "fingerprint needs a hash function and a value (RFC 8122 §5)"),
                arguments("bad setup", insert(10, "a=setup:both"), 10, "setup role is not active, passive, actpass or holdconn (RFC 4145 §4)"),
                arguments("second setup", insert(10, "a=setup:active", "a=setup:passive"), 11, "second setup attribute at the same level"),
                arguments("candidate port too big", insert(10, "a=candidate:1 1 udp 2122260223 127.0.0.1 70000 typ host"), 10,
                        "candidate port is not a number 0-65535"),
                arguments("candidate huge priority", insert(10, "a=candidate:1 1 udp " + HUGE + " 127.0.0.1 7000 typ host"), 10,
                        "candidate priority is not a number 1-4294967295"),
                arguments("candidate without typ", insert(10, "a=candidate:1 1 udp 1 127.0.0.1 7000 host"), 10,
                        "candidate needs foundation, component, transport, priority, address, port, typ, type (RFC 8839 §5.1)"),
                arguments("candidate extension without value", insert(10, "a=candidate:1 1 udp 1 127.0.0.1 7000 typ host generation"), 10,
                        "candidate extension generation has no value"),
                arguments("ice-ufrag too short", insert(10, "a=ice-ufrag:abc"), 10, "ice-ufrag must have 4-256 characters (RFC 8839 §5.4)"),
                arguments("ice-pwd with a bad character", insert(10, "a=ice-pwd:abcdefghijklmnopqrstuv-"), 10,
                        "ice-pwd has a character outside ALPHA / DIGIT / \"+\" / \"/\" (RFC 8839 §5.1)"),
                arguments("huge ssrc", insert(10, "a=ssrc:" + HUGE + " cname:x"), 10, "ssrc is not a number 0-4294967295"),
                arguments("ssrc without attribute", insert(10, "a=ssrc:1"), 10, "ssrc needs a source attribute (RFC 5576 §4.1)"),
                arguments("extmap id 0", insert(10, "a=extmap:0 urn:x"), 10, "extmap id is not a number 1-255"),
                arguments("mid not a token", insert(10, "a=mid:a(b"), 10, "mid is not a token (RFC 8866 §9)"),
                arguments("mid used twice", lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
                        "m=audio 4000 RTP/AVP 0", "a=mid:a", "m=audio 4002 RTP/AVP 0", "a=mid:a"), 9,
                        "mid a is already used by another media section (RFC 5888 §4)"),
                arguments("group naming an unknown mid", insert(6, "a=group:BUNDLE 0"), 6,
                        "group names mid 0 that no media section has (RFC 5888 §5)"),
                arguments("only v=0", "v=0", 2, "o= line expected, found the end of the description (RFC 8866 §5)"),
                arguments("only v=0 with CRLF", "v=0\r\n", 2, "o= line expected, found the end of the description (RFC 8866 §5)"),
                arguments("no t=", lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-"), 4,
                        "t= line missing, found the end of the description (RFC 8866 §5.9)")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusedWithLineAndReason(String name, String body, int line, String reason) {
        SdpException e = assertThrows(SdpException.class, () -> parser.parse(body));
        assertEquals(reason, e.reason(), name);
        assertEquals(line, e.line(), name);
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        if (body.chars().noneMatch(c -> Character.isSurrogate((char) c))) {
            SdpException fromBytes = assertThrows(SdpException.class, () -> parser.parse(body.getBytes(StandardCharsets.UTF_8)));
            assertEquals(reason, fromBytes.reason(), name + " (bytes)");
            assertEquals(line, fromBytes.line(), name + " (bytes)");
        }
    }

    @Test
    void tenThousandMediaSectionsStopAtTheSeventeenth() {
        SdpParser roomy = new SdpParser(new SdpLimits(1024 * 1024, 16));
        String body = lines(BASE.toArray(new String[0])) + "m=audio 4002 RTP/AVP 0\r\n".repeat(10_000);
        SdpException e = assertThrows(SdpException.class, () -> roomy.parse(body));
        assertEquals(BASE.size() + 16, e.line());
        assertEquals("more than 16 media sections", e.reason());
        SdpException bySize = assertThrows(SdpException.class, () -> parser.parse(body));
        assertEquals("body of " + body.length() + " bytes exceeds the limit of 65536 bytes", bySize.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rtpmap", "fmtp", "rtcp-fb", "fingerprint", "setup", "candidate", "ssrc", "ice-ufrag", "ice-pwd",
            "ice-options", "mid", "extmap", "msid", "ptime", "rtcp", "ssrc-group", "curr", "des", "conf"})
    void attributesThatNeedAValueAreRefusedWithout(String name) {
        SdpException e = assertThrows(SdpException.class, () -> parser.parse(insert(10, "a=" + name)));
        assertEquals(10, e.line());
        assertEquals("attribute " + name + " needs a value", e.reason());
    }

    @Test
    void groupNeedsAValueAtSessionLevel() {
        SdpException e = assertThrows(SdpException.class, () -> parser.parse(insert(6, "a=group")));
        assertEquals(6, e.line());
        assertEquals("attribute group needs a value", e.reason());
    }

    @Test
    void emptyBody() {
        SdpException e = assertThrows(SdpException.class, () -> parser.parse(""));
        assertEquals(0, e.line());
        assertEquals("sdp: empty session description", e.getMessage());
        assertEquals(0, assertThrows(SdpException.class, () -> parser.parse(new byte[0])).line());
    }

    @Test
    void oneMegabyteBodyIsRefusedBeforeParsing() {
        String body = lines(BASE.toArray(new String[0])) + "a=x:" + "y".repeat(1024 * 1024);
        SdpException e = assertThrows(SdpException.class, () -> parser.parse(body));
        assertEquals(0, e.line());
        assertEquals("body of " + body.length() + " bytes exceeds the limit of 65536 bytes", e.reason());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertEquals(e.reason(), assertThrows(SdpException.class, () -> parser.parse(bytes)).reason());
    }

    @Test
    void multiByteCharactersCountAsTheirUtf8Bytes() {
        SdpParser small = new SdpParser(new SdpLimits(100, 16));
        String body = lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=" + "é".repeat(40));
        SdpException e = assertThrows(SdpException.class, () -> small.parse(body));
        assertEquals("body of " + body.getBytes(StandardCharsets.UTF_8).length + " bytes exceeds the limit of 100 bytes", e.reason());
    }

    @Test
    void invalidUtf8IsRefusedWithItsLine() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(lines("v=0", "o=- 1 1 IN IP4 127.0.0.1").getBytes(StandardCharsets.US_ASCII));
        b.write(new byte[] {'s', '=', (byte) 0xc3, '(', '\r', '\n'});
        SdpException e = assertThrows(SdpException.class, () -> parser.parse(b.toByteArray()));
        assertEquals(3, e.line());
        assertEquals("invalid UTF-8 at byte 3 of the line", e.reason());
        assertEquals("sdp line 3: invalid UTF-8 at byte 3 of the line", e.getMessage());

        byte[] overlong = lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=x").getBytes(StandardCharsets.US_ASCII);
        byte[] withOverlongSlash = Arrays.copyOf(overlong, overlong.length + 2);
        withOverlongSlash[overlong.length] = (byte) 0xc0;
        withOverlongSlash[overlong.length + 1] = (byte) 0xaf;
        SdpException e2 = assertThrows(SdpException.class, () -> parser.parse(withOverlongSlash));
        assertEquals(4, e2.line());
    }

    @Test
    void validUtf8TextIsKept() {
        String body = replace(3, "s=Réunion d'équipe ☎");
        assertEquals(body, parser.parse(body.getBytes(StandardCharsets.UTF_8)).write());
    }
}
