package dev.passerelle.gateway.sdp;

import java.util.Locale;

/**
 * {@code a=fingerprint} (RFC 8122 §5): the hash function and the certificate hash as
 * colon-separated hex pairs. For the hash functions RFC 8122 names, the number of bytes must be
 * the function's output length. Hex digits of either case are accepted (browsers differ).
 */
public record Fingerprint(String hashFunction, String value) {

    public Fingerprint {
        Syntax.token(hashFunction, "fingerprint hash function");
        int bytes = (value.length() + 1) / 3;
        if (value.isEmpty() || value.length() != bytes * 3 - 1) {
            throw new SdpException("fingerprint is not hex pairs separated by ':' (RFC 8122 §5)");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = i % 3 == 2 ? c == ':' : Syntax.isHex(c);
            if (!ok) {
                throw new SdpException("fingerprint is not hex pairs separated by ':' (RFC 8122 §5)");
            }
        }
        int expected = hashBytes(hashFunction.toLowerCase(Locale.ROOT));
        if (expected > 0 && expected != bytes) {
            throw new SdpException("fingerprint of " + hashFunction + " must have " + expected + " bytes, not " + bytes);
        }
    }

    static Fingerprint parse(String attributeValue) {
        int sp = attributeValue.indexOf(' ');
        if (sp < 0) {
            throw new SdpException("fingerprint needs a hash function and a value (RFC 8122 §5)");
        }
        return new Fingerprint(attributeValue.substring(0, sp), attributeValue.substring(sp + 1));
    }

    private static int hashBytes(String function) {
        switch (function) {
            case "md2":
            case "md5":
                return 16;
            case "sha-1":
                return 20;
            case "sha-224":
                return 28;
            case "sha-256":
                return 32;
            case "sha-384":
                return 48;
            case "sha-512":
                return 64;
            default:
                return 0;
        }
    }

    @Override
    public String toString() {
        return hashFunction + " " + value;
    }
}
