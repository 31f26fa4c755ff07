package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ProviderConnector;
import java.util.List;
import java.util.Optional;

/**
 * The providers in use, wherever they come from: connector units of kind {@code provider}, Camel
 * route files. A call to a destination one of them claims is placed there instead of SIP.
 */
public interface Providers {

    /** No provider: every destination goes to SIP or to a web user. */
    Providers NONE = destination -> Optional.empty();

    /**
     * The provider that claims {@code destination}, pinned for one call: the instance stays usable
     * until the claim is closed, even when a newer version replaces it meanwhile.
     */
    Optional<Claim> claim(String destination);

    /** A provider pinned for one call. */
    interface Claim extends AutoCloseable {

        /** The provider's name, for logs and the call record. */
        String name();

        ProviderConnector connector();

        /** Lets go of the instance. Idempotent. */
        @Override
        void close();
    }

    /** Asks {@code sources} in order; the first that claims the destination gets the call. */
    static Providers firstOf(List<Providers> sources) {
        List<Providers> copy = List.copyOf(sources);
        return destination -> {
            for (Providers source : copy) {
                Optional<Claim> claim = source.claim(destination);
                if (claim.isPresent()) {
                    return claim;
                }
            }
            return Optional.empty();
        };
    }
}
