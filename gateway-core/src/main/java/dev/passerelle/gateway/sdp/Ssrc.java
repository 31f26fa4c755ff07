package dev.passerelle.gateway.sdp;

/**
 * {@code a=ssrc} (RFC 5576 §4.1): a source, one of its attributes and the attribute's value
 * (null for a property), e.g. {@code 3735928559 cname:4TOk42mSjXCkVIa6}.
 */
public record Ssrc(long ssrc, String attribute, String value) {

    public Ssrc {
        if (ssrc < 0 || ssrc > 4_294_967_295L) {
            throw new SdpException("ssrc is not a number 0-4294967295");
        }
        Syntax.token(attribute, "ssrc attribute name");
    }

    static Ssrc parse(String value) {
        int sp = value.indexOf(' ');
        if (sp < 0) {
            throw new SdpException("ssrc needs a source attribute (RFC 5576 §4.1)");
        }
        long id = Syntax.number(value.substring(0, sp), 0, 4_294_967_295L, "ssrc");
        String rest = value.substring(sp + 1);
        int colon = rest.indexOf(':');
        if (colon < 0) {
            return new Ssrc(id, rest, null);
        }
        if (colon == rest.length() - 1) {
            throw new SdpException("ssrc attribute " + rest.substring(0, colon) + " has an empty value");
        }
        return new Ssrc(id, rest.substring(0, colon), rest.substring(colon + 1));
    }
}
