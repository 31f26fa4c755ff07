package dev.passerelle.connector.spi;

import java.util.Objects;

/**
 * A web user as an identity connector knows them.
 *
 * @param user the user name; unique within the gateway, and the user part of their AOR
 * @param sipUri the address of record, e.g. {@code sip:alice@example.com}
 * @param displayName the name shown to callees, or null
 * @param sipPassword the digest password for registering on the user's behalf, or null
 */
public record Identity(String user, String sipUri, String displayName, String sipPassword) {

    public Identity {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sipUri, "sipUri");
    }

    @Override
    public String toString() {
        return "Identity[user=" + user + ", sipUri=" + sipUri + ", displayName=" + displayName + "]";
    }
}
