package dev.passerelle.connector.spi;

import java.util.Objects;

/**
 * A web user as an identity connector knows them.
 *
 * @param user the user name; unique within the gateway, and the user part of their AOR
 * @param sipUri the address of record, e.g. {@code sip:alice@example.com}
 * @param displayName the name shown to callees, or null
 * @param sipPassword the digest password for registering on the user's behalf, or null
 * @param dialPlan the destinations the user may call
 */
public record Identity(String user, String sipUri, String displayName, String sipPassword, DialPlan dialPlan) {

    public Identity {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sipUri, "sipUri");
        Objects.requireNonNull(dialPlan, "dialPlan");
    }

    /** A user who may call any destination. */
    public Identity(String user, String sipUri, String displayName, String sipPassword) {
        this(user, sipUri, displayName, sipPassword, DialPlan.ANY);
    }

    @Override
    public String toString() {
        return "Identity[user=" + user + ", sipUri=" + sipUri + ", displayName=" + displayName + ", dialPlan=" + dialPlan
                + "]";
    }
}
