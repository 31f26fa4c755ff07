package dev.passerelle.gateway.sdp;

import java.util.Locale;

/** {@code a=setup} (RFC 4145 §4; for DTLS-SRTP, RFC 8842 §5). */
public enum SetupRole {
    ACTIVE, PASSIVE, ACTPASS, HOLDCONN;

    /** The attribute value, e.g. {@code actpass}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static SetupRole parse(String value) {
        switch (value) {
            case "active":
                return ACTIVE;
            case "passive":
                return PASSIVE;
            case "actpass":
                return ACTPASS;
            case "holdconn":
                return HOLDCONN;
            default:
                throw new SdpException("setup role is not active, passive, actpass or holdconn (RFC 4145 §4)");
        }
    }
}
