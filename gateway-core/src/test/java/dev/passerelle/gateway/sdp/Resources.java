package dev.passerelle.gateway.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The session descriptions of {@code src/test/resources/sdp/}. {@code chromium-offer.sdp}
 * (Chromium 156, audio + video, host candidates) and {@code baresip-offer.sdp} (baresip 1.0.0
 * INVITE body) were captured from the real programs on this machine; the Firefox, Safari and IMS
 * ones are written after those agents' published offers (Firefox 128 with session-level
 * fingerprint, Safari 17 with recvonly video, a 3GPP TS 24.229 offer with preconditions).
 */
final class Resources {

    private Resources() {}

    static String text(String name) {
        try (InputStream in = Resources.class.getResourceAsStream("/sdp/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource sdp/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Sdp parse(String name) {
        return new SdpParser().parse(text(name));
    }

    /** Lines joined with CRLF, each line terminated. */
    static String lines(String... lines) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append("\r\n");
        }
        return b.toString();
    }
}
