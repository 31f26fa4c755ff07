package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ConnectorKind;

/**
 * A unit that cannot be used: the reason is logged, and the unit's earlier version, if any,
 * stays in use.
 */
final class UnitRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient ConnectorKind kind;
    private final String connector;
    private final String detail;

    /**
     * @param kind the kind of the connector at fault, or null when the unit as a whole is
     * @param connector the connector at fault, or null when the unit as a whole is
     */
    UnitRefusal(ConnectorKind kind, String connector, String detail, Throwable cause) {
        super(connector == null ? detail : "connector '" + connector + "' " + detail, cause);
        this.kind = kind;
        this.connector = connector;
        this.detail = detail;
    }

    UnitRefusal(ConnectorKind kind, String connector, String detail) {
        this(kind, connector, detail, null);
    }

    /** Whether the connector at fault is {@code name} of {@code kind}. */
    boolean concerns(ConnectorKind kind, String name) {
        return this.kind == kind && name.equals(connector);
    }

    /** The reason without the connector's name. */
    String detail() {
        return detail;
    }
}
