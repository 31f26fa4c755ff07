package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity connector the routes hold for the life of the gateway, in front of the instance in
 * use, which the registry swaps atomically. A login that began on an instance finishes on it: the
 * instance is closed only when its last caller returned after it was swapped out.
 */
final class SwappableIdentityConnector implements IdentityConnector {
    private static final Logger log = LoggerFactory.getLogger(SwappableIdentityConnector.class);

    private final String name;
    private final AtomicReference<Instance> current = new AtomicReference<>();

    SwappableIdentityConnector(String name) {
        this.name = name;
    }

    /**
     * @throws GatewayException SERVICE_UNAVAILABLE while no connector of the selected name is
     *     installed (its unit was removed and the gateway has none built in)
     */
    @Override
    public Identity authenticate(String token) {
        Instance in = acquire();
        if (in == null) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "identity connector '" + name + "' is not installed");
        }
        try {
            return in.connector.authenticate(token);
        } finally {
            in.lease.release();
        }
    }

    /**
     * Empty while no connector is installed: the gateway then knows the users who are logged in,
     * as it does with a connector that cannot list users, so calls between them go on.
     */
    @Override
    public Optional<Identity> lookup(String user) {
        Instance in = acquire();
        if (in == null) {
            return Optional.empty();
        }
        try {
            return in.connector.lookup(user);
        } finally {
            in.lease.release();
        }
    }

    /** The registry closes the instances it created; closing the routes' handle does nothing. */
    @Override
    public void close() {}

    /**
     * The current instance, held for one call; null when none is installed. An instance that lost
     * its last holder was already swapped out, so the loop reads the newer one.
     */
    private Instance acquire() {
        while (true) {
            Instance in = current.get();
            if (in == null || in.lease.acquire()) {
                return in;
            }
        }
    }

    Instance current() {
        return current.get();
    }

    /**
     * Puts {@code next} (null: none installed) in use and lets go of the previous instance, which
     * is closed once the calls still on it returned.
     *
     * @return the previous instance, already released: for its description only
     */
    Instance swap(Instance next) {
        Instance previous = current.getAndSet(next);
        if (previous != null) {
            previous.lease.release();
        }
        return previous;
    }

    /**
     * One connector instance and where it came from.
     *
     * @param unit the unit version it was created from (held until the instance is closed), or
     *     null for the built-in unit
     * @param label the jar it came from, e.g. {@code passerelle-identity-jwt-1.2.jar}
     */
    static final class Instance {
        private final IdentityConnector connector;
        private final LoadedUnit unit;
        private final String label;
        private final String origin;
        private final Lease lease;

        Instance(String name, IdentityConnector connector, LoadedUnit unit, String label) {
            this.connector = connector;
            this.unit = unit;
            this.label = label;
            this.origin = unit == null ? "the gateway's class path" : unit.path().toString();
            this.lease = new Lease(() -> {
                try {
                    connector.close();
                } catch (RuntimeException | LinkageError e) {
                    log.warn("closing identity connector '{}' from {} failed: {}", name, origin, e.toString());
                }
                if (unit != null) {
                    unit.release();
                }
            });
        }

        IdentityConnector connector() {
            return connector;
        }

        LoadedUnit unit() {
            return unit;
        }

        String label() {
            return label;
        }

        String origin() {
            return origin;
        }
    }
}
