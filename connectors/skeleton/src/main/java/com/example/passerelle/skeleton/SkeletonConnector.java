package com.example.passerelle.skeleton;

import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import java.util.Optional;

/**
 * Knows the users of a token table. Replace {@link #authenticate} with the call to your identity
 * server; keep the promises of {@link IdentityConnector}: thread-safe, a refusal is an
 * {@link AuthenticationException} whose message the client sees (never the token), a server that
 * cannot be reached is an {@link dev.passerelle.connector.spi.IdentityUnavailableException} (503).
 */
final class SkeletonConnector implements IdentityConnector {
    // Connectors see only the SPI, so they log through System.Logger; the gateway routes it to its log.
    private static final System.Logger LOG = System.getLogger(SkeletonConnector.class.getName());

    private final SkeletonSettings settings;

    SkeletonConnector(SkeletonSettings settings) {
        this.settings = settings;
        LOG.log(System.Logger.Level.INFO, "skeleton connector knows {0} users", settings.users().size());
    }

    @Override
    public Identity authenticate(String token) {
        String user = token == null ? null : settings.users().get(token);
        if (user == null) {
            throw new AuthenticationException("unknown token");
        }
        return identity(user);
    }

    @Override
    public Optional<Identity> lookup(String user) {
        return settings.users().containsValue(user) ? Optional.of(identity(user)) : Optional.empty();
    }

    private Identity identity(String user) {
        return new Identity(user, "sip:" + user + "@" + settings.sipDomain(), null, null);
    }

    /** Called once the gateway swapped in a newer version and the logins on this one returned. */
    @Override
    public void close() {
        LOG.log(System.Logger.Level.INFO, "skeleton connector closed");
    }
}
