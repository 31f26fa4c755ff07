package dev.passerelle.gateway.sip;

import java.util.Locale;
import java.util.Optional;

/** The four states the protocol's {@code presence.update} reports, whatever a presentity's PIDF said. */
public enum PresenceStatus {
    AVAILABLE, AWAY, BUSY, OFFLINE;

    /** The name on the wire: {@code available}, {@code away}, {@code busy}, {@code offline}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<PresenceStatus> fromWire(String text) {
        for (PresenceStatus s : values()) {
            if (s.wire().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
