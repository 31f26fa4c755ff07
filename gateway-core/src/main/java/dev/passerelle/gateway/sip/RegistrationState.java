package dev.passerelle.gateway.sip;

import java.time.Instant;
import java.util.Objects;

/**
 * Where the registration of one address of record stands.
 *
 * @param code the SIP status of the last final response (200 when registered, the error when
 *     failed, 408 when the registrar did not answer); 0 when unregistered without an answer
 * @param reason the registrar's reason phrase or the gateway's explanation
 * @param expiresAt when the binding the registrar granted runs out; null unless registered
 */
public record RegistrationState(Status status, int code, String reason, Instant expiresAt) {

    public enum Status { REGISTERED, FAILED, UNREGISTERED }

    public RegistrationState {
        Objects.requireNonNull(status, "status");
    }
}
