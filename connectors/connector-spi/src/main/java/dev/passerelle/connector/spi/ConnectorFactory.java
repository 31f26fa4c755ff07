package dev.passerelle.connector.spi;

/**
 * What every connector factory says about itself. A connector jar lists its factories in
 * {@code META-INF/services/<kind factory interface>}; the gateway finds them with
 * {@link java.util.ServiceLoader} and refuses one whose {@link #apiVersion()} differs from
 * {@link ConnectorApi#VERSION}.
 */
public interface ConnectorFactory {

    /** The name operators select it by, e.g. {@code static} for {@code identity.connector: static}. */
    String name();

    /** The SPI version the connector was compiled against: return {@link ConnectorApi#VERSION}. */
    int apiVersion();
}
