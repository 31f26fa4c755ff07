package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.Locale;

/**
 * DTMF carried in SIP INFO bodies (legacy INFO usage, RFC 6086 §2 and Annex A: no Info Package).
 * Two body types are read: {@code application/dtmf-relay}, the de-facto format (no RFC; first
 * published by Cisco) of {@code Signal=<tone>} and {@code Duration=<ms>} lines, and
 * {@code application/dtmf}, a body of one tone. Only {@code application/dtmf-relay} is written.
 */
final class DtmfRelay {

    static final String TYPE = "application";
    static final String RELAY = "dtmf-relay";
    static final String PLAIN = "dtmf";
    /** The sixteen tones, indexed by their RFC 4733 §3.2 event code. */
    private static final String TONES = "0123456789*#ABCD";

    private DtmfRelay() {
    }

    /** Whether {@code c} is one of the sixteen DTMF tones (upper-case letters). */
    static boolean isTone(char c) {
        return TONES.indexOf(c) >= 0;
    }

    /** The body of one {@code application/dtmf-relay} INFO. */
    static String body(char tone, int durationMs) {
        if (!isTone(tone)) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "not a DTMF tone: " + tone);
        }
        return "Signal=" + tone + "\r\nDuration=" + durationMs + "\r\n";
    }

    /**
     * The tone a received body carries, upper-cased. {@code subType} is {@code dtmf-relay} or
     * {@code dtmf}. A {@code Signal} may also be the RFC 4733 §3.2 event code 10-15, as some
     * phones send (10 is {@code *}, 11 is {@code #}, 12-15 are A-D).
     *
     * @throws GatewayException with {@link ErrorCode#BAD_REQUEST} when the body names no tone
     */
    static char parse(String subType, String body) {
        String text = body == null ? "" : body;
        if (PLAIN.equalsIgnoreCase(subType)) {
            return tone(text.trim());
        }
        for (String line : text.split("\r\n|\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).trim().equalsIgnoreCase("Signal")) {
                return tone(line.substring(eq + 1).trim());
            }
        }
        throw new GatewayException(ErrorCode.BAD_REQUEST, "dtmf-relay body without Signal");
    }

    private static char tone(String value) {
        String v = value.toUpperCase(Locale.ROOT);
        if (v.length() == 1 && isTone(v.charAt(0))) {
            return v.charAt(0);
        }
        if (v.matches("1[0-5]")) {
            return TONES.charAt(Integer.parseInt(v));
        }
        throw new GatewayException(ErrorCode.BAD_REQUEST, "not a DTMF tone: '" + SipContext.printable(value, 20) + "'");
    }
}
