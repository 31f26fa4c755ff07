package dev.passerelle.gateway.sdp;

import java.util.Objects;

/** A {@code b=} line (RFC 8866 §5.8), e.g. {@code AS:64} (kbit/s) or {@code TIAS:64000} (bit/s). */
public record Bandwidth(String type, long value) {

    /** Largest bandwidth accepted: the 32-bit unsigned range. */
    static final long MAX = 4_294_967_295L;

    public Bandwidth {
        Syntax.token(Objects.requireNonNull(type, "type"), "b= bwtype");
        if (value < 0 || value > MAX) {
            throw new SdpException("b= bandwidth is not a number 0-" + MAX);
        }
    }

    @Override
    public String toString() {
        return type + ":" + value;
    }
}
