package dev.passerelle.gateway.sdp;

import java.util.List;
import java.util.Set;

/**
 * The part of the WebRTC → SIP translation that is about the description rather than the
 * transport: once a media relay has turned a browser's sections into plain RTP/AVP (new
 * addresses, no ICE, no DTLS), what is left of the browser's WebRTC-only attributes means
 * nothing to a phone and is dropped, so that it sees an ordinary RFC 3551 description.
 */
public final class Translation {

    /** Session-level attributes of WebRTC (RFC 8843 BUNDLE, RFC 8830 msid, RFC 8285 mixed extmap). */
    private static final Set<String> WEBRTC_SESSION = Set.of("group", "msid-semantic", "extmap-allow-mixed",
            "ice-lite", "ice-options", "ice-ufrag", "ice-pwd", "fingerprint", "setup");

    /**
     * Media-level ones: header extensions (RFC 8285), stream ids (RFC 8830, RFC 5576), RTCP
     * feedback and reduced-size RTCP (RFC 4585, RFC 5506), the mid of a BUNDLE group (RFC 8843)
     * and anything of ICE and DTLS a relay left behind.
     */
    private static final Set<String> WEBRTC_MEDIA = Set.of("extmap", "extmap-allow-mixed", "msid", "ssrc",
            "ssrc-group", "rtcp-fb", "rtcp-rsize", "rtcp-xr", "mid", "rid", "simulcast", "ice-ufrag", "ice-pwd",
            "ice-options", "candidate", "end-of-candidates", "fingerprint", "setup", "rtcp-mux-only");

    private Translation() {}

    /** {@code sdp} without its WebRTC-only attributes; sections, codecs and directions as they were. */
    public static Sdp toPlainRtp(Sdp sdp) {
        List<MediaSection> media = sdp.media().stream()
                .map(m -> m.withAttributes(without(m.attributes(), WEBRTC_MEDIA)))
                .toList();
        return sdp.withAttributes(without(sdp.attributes(), WEBRTC_SESSION)).withMedia(media);
    }

    private static List<Attribute> without(List<Attribute> attributes, Set<String> names) {
        return attributes.stream().filter(a -> !names.contains(a.name())).toList();
    }
}
