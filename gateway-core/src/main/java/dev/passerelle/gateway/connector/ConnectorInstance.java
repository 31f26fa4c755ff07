package dev.passerelle.gateway.connector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connector instance and where it came from. Its {@link Lease} is held by the slot while the
 * instance is in use there, and by every login, call or claim still running on it; the last
 * holder closes the connector, then lets go of the unit version it came from.
 *
 * @param <C> the connector interface of its kind
 */
final class ConnectorInstance<C extends AutoCloseable> {
    private static final Logger log = LoggerFactory.getLogger(ConnectorInstance.class);

    private final C connector;
    private final LoadedUnit unit;
    private final String label;
    private final String origin;
    private final Lease lease;

    /**
     * @param unit the unit version it was created from (held until the instance is closed), or
     *     null for the built-in unit
     * @param label the jar it came from, e.g. {@code v1.2 (passerelle-identity-jwt-1.2.jar)}
     */
    ConnectorInstance(String description, C connector, LoadedUnit unit, String label) {
        this.connector = connector;
        this.unit = unit;
        this.label = label;
        this.origin = unit == null ? "the gateway's class path" : unit.path().toString();
        this.lease = new Lease(() -> {
            try {
                connector.close();
            } catch (Exception | LinkageError e) {
                log.warn("closing {} from {} failed: {}", description, origin, e.toString());
            }
            if (unit != null) {
                unit.release();
            }
        });
    }

    C connector() {
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

    /** One more holder; false once the instance is closed or closing. */
    boolean acquire() {
        return lease.acquire();
    }

    void release() {
        lease.release();
    }
}
