package dev.passerelle.gateway.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written checks of the RFC 8866 §9 grammar shared by the parser and the records: tokens,
 * bounded numbers that cannot overflow, addresses. Each failure is an {@link SdpException}
 * without a line; the parser adds the line.
 */
final class Syntax {

    private Syntax() {}

    /** RFC 8866 §9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E. */
    static boolean isTokenChar(char c) {
        return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d || c == 0x2e
                || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x5e && c <= 0x7e);
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static String token(String s, String what) {
        if (!isToken(s)) {
            throw new SdpException(what + " is not a token (RFC 8866 §9)");
        }
        return s;
    }

    /** RFC 8839 §5.1: ice-char = ALPHA / DIGIT / "+" / "/". */
    static String iceChars(String s, int min, int max, String what) {
        if (s.length() < min || s.length() > max) {
            throw new SdpException(what + " must have " + min + "-" + max + " characters (RFC 8839 §5.4)");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAlpha(c) || isDigit(c) || c == '+' || c == '/')) {
                throw new SdpException(what + " has a character outside ALPHA / DIGIT / \"+\" / \"/\" (RFC 8839 §5.1)");
            }
        }
        return s;
    }

    /**
     * A decimal number in [min, max]. Digits only (no sign, no blanks); more than 18 digits is
     * refused before any arithmetic, so no input overflows.
     */
    static long number(String s, long min, long max, String what) {
        if (s.isEmpty() || s.length() > 18) {
            throw outOfRange(what, min, max);
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                throw outOfRange(what, min, max);
            }
            v = v * 10 + (c - '0');
        }
        if (v < min || v > max) {
            throw outOfRange(what, min, max);
        }
        return v;
    }

    static int intNumber(String s, int min, int max, String what) {
        return (int) number(s, min, max, what);
    }

    private static SdpException outOfRange(String what, long min, long max) {
        return new SdpException(what + " is not a number " + min + "-" + max);
    }

    /** An unsigned 64-bit decimal (o= session id and version, RFC 8866 §5.2), kept as text. */
    static String unsigned64(String s, String what) {
        boolean ok = !s.isEmpty() && s.length() <= 20;
        for (int i = 0; ok && i < s.length(); i++) {
            ok = isDigit(s.charAt(i));
        }
        if (ok) {
            try {
                Long.parseUnsignedLong(s);
                return s;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        throw new SdpException(what + " is not a number 0-18446744073709551615");
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /**
     * Fields separated by exactly one space; an empty field (two spaces, a leading or trailing
     * space) is an error, since RFC 8866 §5 allows no other separator.
     */
    static List<String> fields(String value, String what) {
        List<String> out = new ArrayList<>(8);
        int start = 0;
        for (int i = 0; i <= value.length(); i++) {
            if (i == value.length() || value.charAt(i) == ' ') {
                if (i == start) {
                    throw new SdpException(what + " has an empty field (fields are separated by one space)");
                }
                out.add(value.substring(start, i));
                start = i + 1;
            }
        }
        return out;
    }

    /** A string without spaces or controls (RFC 8866 §9 non-ws-string). */
    static String nonWs(String s, String what) {
        if (s.isEmpty()) {
            throw new SdpException(what + " is empty");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new SdpException(what + " contains whitespace");
            }
        }
        return s;
    }

    /**
     * A unicast host as SDP carries it (RFC 8866 §9 unicast-address): a dotted-quad IPv4 address
     * with octets 0-255, an IPv6 address, or a domain name (also an mDNS {@code .local} name).
     */
    static String host(String s, String what) {
        if (s.isEmpty() || s.length() > 255) {
            throw new SdpException(what + " is not an address");
        }
        if (s.indexOf(':') >= 0) {
            return ipv6(s, what);
        }
        boolean dottedDigits = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isDigit(c) && c != '.') {
                dottedDigits = false;
            }
            if (!(isAlpha(c) || isDigit(c) || c == '.' || c == '-' || c == '_')) {
                throw new SdpException(what + " is not an address");
            }
        }
        if (dottedDigits) {
            ipv4(s, what);
        }
        return s;
    }

    /** First octet of a dotted-quad IPv4 address; the address is checked octet by octet. */
    static int ipv4(String s, String what) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new SdpException(what + " is not an IPv4 address");
        }
        int first = -1;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !isDottedQuad(p)) {
                throw new SdpException(what + " is not an IPv4 address");
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                throw new SdpException(what + " is not an IPv4 address");
            }
            if (first < 0) {
                first = octet;
            }
        }
        return first;
    }

    static boolean isDottedQuad(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isDigit(c) && c != '.') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static String ipv6(String s, String what) {
        int colons = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':') {
                colons++;
            } else if (!isHex(c) && c != '.') {
                throw new SdpException(what + " is not an IPv6 address");
            }
        }
        if (colons < 2 || colons > 7) {
            throw new SdpException(what + " is not an IPv6 address");
        }
        return s;
    }
}
