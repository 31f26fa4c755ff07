package dev.passerelle.gateway.media.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.media.MediaAnchor.Leg;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PassthroughAnchorTest {

    private static final String SDP = String.join("\r\n",
            "v=0",
            "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 0.0.0.0",
            "a=mid:0",
            "a=rtpmap:111 opus/48000/2",
            "");

    private final PassthroughAnchor anchor = new PassthroughAnchor(1024);

    private static void assertRefused(String message, Runnable call) {
        GatewayException e = assertThrows(GatewayException.class, call::run);
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Leg.class)
    void validSdpPassesUnchangedBothWays(Leg from) {
        assertSame(SDP, anchor.offer("c1", from, SDP));
        assertSame(SDP, anchor.answer("c1", from, SDP));
    }

    @Test
    void missingSdp() {
        assertRefused("sdp: missing session description", () -> anchor.offer("c1", Leg.WEB, null));
        assertRefused("sdp: missing session description", () -> anchor.answer("c1", Leg.SIP, null));
    }

    @Test
    void blankSdp() {
        assertRefused("sdp: missing session description", () -> anchor.offer("c1", Leg.WEB, " \r\n\t"));
    }

    @Test
    void sdpMustStartWithVersionLine() {
        assertRefused("sdp: must start with the line v=0 (RFC 8866 §5.1)",
                () -> anchor.offer("c1", Leg.SIP, "o=- 1 1 IN IP4 127.0.0.1\r\nv=0\r\n"));
        assertRefused("sdp: must start with the line v=0 (RFC 8866 §5.1)",
                () -> anchor.answer("c1", Leg.WEB, "<html>v=0</html>"));
    }

    @Test
    void nulByteIsRefused() {
        assertRefused("sdp: contains a NUL byte", () -> anchor.offer("c1", Leg.WEB, SDP + "a=x\0y\r\n"));
    }

    @Test
    void sdpAtTheLimitPassesAndOneByteMoreIsRefused() {
        String atLimit = "v=0\r\n" + "a=" + "x".repeat(1024 - 9) + "\r\n";
        assertEquals(1024, atLimit.length());

        assertSame(atLimit, anchor.offer("c1", Leg.WEB, atLimit));
        assertRefused("sdp: longer than 1024 bytes", () -> anchor.offer("c1", Leg.WEB, atLimit + "x"));
    }

    @Test
    void limitCountsUtf8BytesNotCharacters() {
        // s= may hold UTF-8 (RFC 8866 §5.3): 1024 characters here, but 2039 bytes on the wire.
        String wide = "v=0\r\ns=" + "é".repeat(1024 - 9) + "\r\n";
        assertEquals(1024, wide.length());
        assertEquals(2039, wide.getBytes(StandardCharsets.UTF_8).length);

        assertRefused("sdp: longer than 1024 bytes", () -> anchor.answer("c1", Leg.SIP, wide));
    }

    @Test
    void releaseIsIdempotent() {
        anchor.release("c1");
        anchor.release("c1");
        assertSame(SDP, anchor.offer("c1", Leg.WEB, SDP));
    }
}
