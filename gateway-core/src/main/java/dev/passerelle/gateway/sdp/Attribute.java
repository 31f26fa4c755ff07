package dev.passerelle.gateway.sdp;

import java.util.Objects;

/**
 * One {@code a=} line (RFC 8866 §5.13): a property attribute ({@code a=rtcp-mux}, value null) or
 * a value attribute ({@code a=rtpmap:0 PCMU/8000}). Names compare case-sensitively, as written.
 */
public record Attribute(String name, String value) {

    public Attribute {
        Objects.requireNonNull(name, "name");
        Syntax.token(name, "attribute name");
        if (value != null && value.isEmpty()) {
            throw new SdpException("attribute " + name + " has an empty value");
        }
    }

    /** A property attribute, e.g. {@code sendrecv}. */
    public static Attribute flag(String name) {
        return new Attribute(name, null);
    }

    public static Attribute of(String name, String value) {
        return new Attribute(name, Objects.requireNonNull(value, "value"));
    }

    /** The line's text without the {@code a=} prefix. */
    @Override
    public String toString() {
        return value == null ? name : name + ":" + value;
    }
}
