package dev.passerelle.gateway.sdp;

import java.util.Optional;

/** Media direction attributes (RFC 8866 §6.7; RFC 3264 §5.1 makes sendrecv the default). */
public enum Direction {
    SENDRECV("sendrecv"), SENDONLY("sendonly"), RECVONLY("recvonly"), INACTIVE("inactive");

    private final String attribute;

    Direction(String attribute) {
        this.attribute = attribute;
    }

    /** The attribute name, e.g. {@code sendonly}. */
    public String attribute() {
        return attribute;
    }

    /** The direction named by an attribute name, if it is one. */
    public static Optional<Direction> ofAttribute(String name) {
        for (Direction d : values()) {
            if (d.attribute.equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    public boolean sends() {
        return this == SENDRECV || this == SENDONLY;
    }

    public boolean receives() {
        return this == SENDRECV || this == RECVONLY;
    }

    /**
     * Whether an answer with direction {@code answer} may answer an offer with this direction
     * (RFC 3264 §6.1): sendonly is answered recvonly or inactive, recvonly sendonly or inactive,
     * inactive only inactive, sendrecv anything.
     */
    public boolean accepts(Direction answer) {
        return (!answer.sends() || receives()) && (!answer.receives() || sends());
    }
}
