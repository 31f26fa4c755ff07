package dev.passerelle.connector.spi;

/**
 * What every connector factory says about itself: its name, its kind, the SPI version it was built
 * for. A connector jar lists its factories in {@code META-INF/services/<kind factory interface>}
 * ({@link ConnectorKind#factoryType()}); the gateway finds them with
 * {@link java.util.ServiceLoader} and refuses one whose {@link #apiVersion()} differs from
 * {@link ConnectorApi#VERSION}. Its settings are the section {@code <kind section>.<name>} of the
 * gateway's configuration ({@link ConnectorKind#settingsKey(String)}).
 */
public interface ConnectorFactory {

    /** The name operators select it by, e.g. {@code static} for {@code identity.connector: static}. */
    String name();

    /** What the connector is for; each kind's factory interface answers it. */
    ConnectorKind kind();

    /** The SPI version the connector was compiled against: return {@link ConnectorApi#VERSION}. */
    int apiVersion();
}
