package dev.passerelle.gateway.sip;

import java.util.Objects;

/**
 * A web user the gateway registers on their behalf (IMS mode).
 *
 * @param user the user part of the gateway's Contact, so that requests the registrar sends there
 *     reach this user's sessions
 * @param aor the address of record, the To and From of the REGISTER (RFC 3261 §10.2)
 * @param displayName shown in From and To, or null
 * @param authUser the digest user name (RFC 7616 §3.4 username)
 * @param password the digest password
 */
public record SipRegistration(String user, String aor, String displayName, String authUser, String password) {

    public SipRegistration {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(aor, "aor");
        Objects.requireNonNull(authUser, "authUser");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "SipRegistration[user=" + user + ", aor=" + aor + ", authUser=" + authUser + "]";
    }
}
