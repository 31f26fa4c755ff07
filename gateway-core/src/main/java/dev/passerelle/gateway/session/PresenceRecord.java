package dev.passerelle.gateway.session;

import java.util.Objects;

/**
 * What a web user published last with {@code presence.publish}: {@code status} one of
 * {@code available}, {@code away}, {@code busy}, {@code offline}; {@code note} free text or null.
 */
public record PresenceRecord(String status, String note) {
    public PresenceRecord {
        Objects.requireNonNull(status, "status");
    }
}
