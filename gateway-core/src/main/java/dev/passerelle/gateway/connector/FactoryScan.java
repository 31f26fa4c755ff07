package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorFactory;
import dev.passerelle.connector.spi.ConnectorKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the connector factories of one class loader with {@link ServiceLoader}, for every kind:
 * each kind's factory interface ({@link ConnectorKind#factoryType()}) is a service type of its own.
 */
final class FactoryScan {

    private FactoryScan() {}

    /**
     * The factories {@code loader} offers, by kind, then by name in service-file order; every kind
     * has an entry, empty when the loader offers none of it.
     *
     * @param ownOnly keep only the factories that {@code loader} itself defines: a unit's loader
     *     also sees its parent's, the gateway's, which belong to the built-in unit
     * @throws UnitRefusal when a factory cannot be loaded or instantiated, names a connector of its
     *     kind twice, or was built for another {@link ConnectorApi#VERSION}
     */
    static Map<ConnectorKind, Map<String, ConnectorFactory>> factories(ClassLoader loader, boolean ownOnly)
            throws UnitRefusal {
        Map<ConnectorKind, Map<String, ConnectorFactory>> byKind = new EnumMap<>(ConnectorKind.class);
        for (ConnectorKind kind : ConnectorKind.values()) {
            byKind.put(kind, Collections.unmodifiableMap(scan(kind, loader, ownOnly)));
        }
        return byKind;
    }

    private static Map<String, ConnectorFactory> scan(ConnectorKind kind, ClassLoader loader, boolean ownOnly)
            throws UnitRefusal {
        Map<String, ConnectorFactory> factories = new LinkedHashMap<>();
        try {
            for (ServiceLoader.Provider<? extends ConnectorFactory> provider
                    : ServiceLoader.load(kind.factoryType(), loader).stream().toList()) {
                if (ownOnly && provider.type().getClassLoader() != loader) {
                    continue;
                }
                ConnectorFactory factory = provider.get();
                String name = factory.name();
                if (factory.apiVersion() != ConnectorApi.VERSION) {
                    throw new UnitRefusal(kind, name, "was built for connector API " + factory.apiVersion()
                            + ", this gateway speaks " + ConnectorApi.VERSION);
                }
                if (factories.putIfAbsent(name, factory) != null) {
                    throw new UnitRefusal(kind, name, "is named by two " + Slot.label(kind)
                            + " factories of the same unit");
                }
            }
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
            throw new UnitRefusal(null, null, "its connector factories cannot be loaded: " + e, e);
        }
        return factories;
    }
}
