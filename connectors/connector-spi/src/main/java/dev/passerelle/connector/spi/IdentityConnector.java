package dev.passerelle.connector.spi;

import java.util.Optional;

/** Turns a login token into a web user, and tells which users exist. Thread-safe. */
public interface IdentityConnector extends AutoCloseable {

    /**
     * The user the token belongs to.
     *
     * @throws AuthenticationException when the token is unknown, expired or malformed
     */
    Identity authenticate(String token);

    /**
     * The user of that name, if this connector can tell. A connector that only learns users from
     * their tokens returns empty; the gateway then knows a user only while they are logged in.
     */
    Optional<Identity> lookup(String user);

    @Override
    default void close() {}
}
