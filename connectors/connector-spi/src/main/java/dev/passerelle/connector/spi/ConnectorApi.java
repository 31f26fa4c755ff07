package dev.passerelle.connector.spi;

/** The version of this SPI. A connector is loaded only if it was built for the same version. */
public final class ConnectorApi {

    /** Raised on any incompatible change to this package. */
    public static final int VERSION = 1;

    private ConnectorApi() {}
}
