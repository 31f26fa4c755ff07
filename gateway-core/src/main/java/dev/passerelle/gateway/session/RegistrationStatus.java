package dev.passerelle.gateway.session;

import java.time.Instant;
import java.util.Objects;

/**
 * Where the registration on behalf of a session's user stands (IMS mode), as the session's node
 * last saw it.
 *
 * @param state {@code registered}, {@code failed} or {@code unregistered}
 * @param code the SIP status of the last final response to the REGISTER, or null
 * @param reason the registrar's reason phrase or the gateway's explanation, or null
 * @param expiresAt when the binding runs out; null unless registered
 * @param updatedAt when this state was reached
 */
public record RegistrationStatus(String state, Integer code, String reason, Instant expiresAt, Instant updatedAt) {

    public RegistrationStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
