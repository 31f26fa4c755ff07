package dev.passerelle.gateway.sdp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One RTP payload format of a media section, derived from its m= format, {@code a=rtpmap}
 * (RFC 8866 §6.6) or the RFC 3551 §6 static table, {@code a=fmtp} (§6.15) and {@code a=rtcp-fb}
 * (RFC 4585 §4.2; the lines for {@code *} follow the payload type's own).
 *
 * @param channels     1 when the rtpmap gives none
 * @param fmtp         the format parameters as written, null when absent
 * @param rtcpFeedback the values after the payload type, e.g. {@code nack pli}
 */
public record Codec(int payloadType, String name, int clockRate, int channels, String fmtp, List<String> rtcpFeedback) {

    public Codec {
        if (payloadType < 0 || payloadType > 127) {
            throw new SdpException("payload type is not a number 0-127");
        }
        Syntax.token(Objects.requireNonNull(name, "name"), "encoding name");
        if (clockRate < 1) {
            throw new SdpException("clock rate is not a number 1-" + Integer.MAX_VALUE);
        }
        if (channels < 1 || channels > 255) {
            throw new SdpException("channels is not a number 1-255");
        }
        rtcpFeedback = List.copyOf(rtcpFeedback);
    }

    /** The codec a static payload type stands for without rtpmap (RFC 3551 §6), or null. */
    static Codec staticType(int pt) {
        switch (pt) {
            case 0: return basic(pt, "PCMU", 8000, 1);
            case 3: return basic(pt, "GSM", 8000, 1);
            case 4: return basic(pt, "G723", 8000, 1);
            case 5: return basic(pt, "DVI4", 8000, 1);
            case 6: return basic(pt, "DVI4", 16000, 1);
            case 7: return basic(pt, "LPC", 8000, 1);
            case 8: return basic(pt, "PCMA", 8000, 1);
            case 9: return basic(pt, "G722", 8000, 1);
            case 10: return basic(pt, "L16", 44100, 2);
            case 11: return basic(pt, "L16", 44100, 1);
            case 12: return basic(pt, "QCELP", 8000, 1);
            case 13: return basic(pt, "CN", 8000, 1);
            case 14: return basic(pt, "MPA", 90000, 1);
            case 15: return basic(pt, "G728", 8000, 1);
            case 16: return basic(pt, "DVI4", 11025, 1);
            case 17: return basic(pt, "DVI4", 22050, 1);
            case 18: return basic(pt, "G729", 8000, 1);
            case 25: return basic(pt, "CelB", 90000, 1);
            case 26: return basic(pt, "JPEG", 90000, 1);
            case 28: return basic(pt, "nv", 90000, 1);
            case 31: return basic(pt, "H261", 90000, 1);
            case 32: return basic(pt, "MPV", 90000, 1);
            case 33: return basic(pt, "MP2T", 90000, 1);
            case 34: return basic(pt, "H263", 90000, 1);
            default: return null;
        }
    }

    private static Codec basic(int pt, String name, int clock, int channels) {
        return new Codec(pt, name, clock, channels, null, List.of());
    }

    /** {@code <pt> <name>/<clock rate>[/<channels>]} (RFC 8866 §6.6), without fmtp or rtcp-fb. */
    static Codec parseRtpmap(String value) {
        int sp = value.indexOf(' ');
        if (sp < 0) {
            throw new SdpException("rtpmap needs a payload type and an encoding (RFC 8866 §6.6)");
        }
        int pt = Syntax.intNumber(value.substring(0, sp), 0, 127, "payload type");
        String enc = value.substring(sp + 1);
        int s1 = enc.indexOf('/');
        if (s1 < 0) {
            throw new SdpException("rtpmap encoding needs a clock rate (RFC 8866 §6.6)");
        }
        int s2 = enc.indexOf('/', s1 + 1);
        String name = Syntax.token(enc.substring(0, s1), "encoding name");
        int clock = Syntax.intNumber(enc.substring(s1 + 1, s2 < 0 ? enc.length() : s2), 1, Integer.MAX_VALUE, "clock rate");
        int channels = s2 < 0 ? 1 : Syntax.intNumber(enc.substring(s2 + 1), 1, 255, "channels");
        return new Codec(pt, name, clock, channels, null, List.of());
    }

    /** Whether the payload type has a static meaning (RFC 3551 §6), so it is matched by number. */
    public boolean isStatic() {
        Codec s = staticType(payloadType);
        return s != null && s.sameFormat(this);
    }

    /** Same encoding: name (case-insensitive), clock rate and channels (RFC 3264 §6.1). */
    public boolean sameFormat(Codec other) {
        return name.equalsIgnoreCase(other.name) && clockRate == other.clockRate && channels == other.channels;
    }

    /** Whether the encoding name is {@code name}, ignoring case (RFC 4855 §3: names are case-insensitive). */
    public boolean isNamed(String name) {
        return this.name.equalsIgnoreCase(name);
    }

    /** Lower-case encoding name, for comparisons. */
    String key() {
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * The {@code key=value} pairs of the fmtp, split on {@code ;}, blanks around them trimmed, in
     * order; empty when there is no fmtp or it is not of that shape (e.g. {@code 0-16}).
     */
    public Map<String, String> parameters() {
        Map<String, String> out = new LinkedHashMap<>();
        if (fmtp == null) {
            return Map.of();
        }
        for (String part : fmtp.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
