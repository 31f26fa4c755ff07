package dev.passerelle.gateway.connector;

/**
 * A unit that cannot be used: the reason is logged, and the unit's earlier version, if any,
 * stays in use.
 */
final class UnitRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final String connector;
    private final String detail;

    /** @param connector the connector at fault, or null when the unit as a whole is */
    UnitRefusal(String connector, String detail, Throwable cause) {
        super(connector == null ? detail : "connector '" + connector + "' " + detail, cause);
        this.connector = connector;
        this.detail = detail;
    }

    UnitRefusal(String connector, String detail) {
        this(connector, detail, null);
    }

    /** The connector at fault, or null. */
    String connector() {
        return connector;
    }

    /** The reason without the connector's name. */
    String detail() {
        return detail;
    }
}
