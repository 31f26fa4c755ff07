package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.Optional;

/**
 * The identity connector the routes hold for the life of the gateway, in front of the instance in
 * use, which the registry swaps. A login that began on an instance finishes on it: the instance is
 * closed only when its last caller returned after it was swapped out.
 */
final class SwappableIdentityConnector implements IdentityConnector {
    private final Slot<IdentityConnector> slot;

    SwappableIdentityConnector(Slot<IdentityConnector> slot) {
        this.slot = slot;
    }

    /**
     * @throws GatewayException SERVICE_UNAVAILABLE while no connector of the selected name is
     *     installed (its unit was removed and the gateway has none built in)
     */
    @Override
    public Identity authenticate(String token) {
        ConnectorInstance<IdentityConnector> in = slot.acquire();
        if (in == null) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, slot.description() + " is not installed");
        }
        try {
            return in.connector().authenticate(token);
        } finally {
            in.release();
        }
    }

    /**
     * Empty while no connector is installed: the gateway then knows the users who are logged in,
     * as it does with a connector that cannot list users, so calls between them go on.
     */
    @Override
    public Optional<Identity> lookup(String user) {
        ConnectorInstance<IdentityConnector> in = slot.acquire();
        if (in == null) {
            return Optional.empty();
        }
        try {
            return in.connector().lookup(user);
        } finally {
            in.release();
        }
    }

    /** The registry closes the instances it created; closing the routes' handle does nothing. */
    @Override
    public void close() {}

    Slot<IdentityConnector> slot() {
        return slot;
    }
}
