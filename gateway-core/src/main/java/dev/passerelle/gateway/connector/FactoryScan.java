package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.IdentityConnectorFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds the identity connector factories of one class loader with {@link ServiceLoader}. */
final class FactoryScan {

    private FactoryScan() {}

    /**
     * The factories {@code loader} offers, by name, in service-file order.
     *
     * @param ownOnly keep only the factories that {@code loader} itself defines: a unit's loader
     *     also sees its parent's, the gateway's, which belong to the built-in unit
     * @throws UnitRefusal when a factory cannot be loaded or instantiated, names a connector twice,
     *     or was built for another {@link ConnectorApi#VERSION}
     */
    static Map<String, IdentityConnectorFactory> identityFactories(ClassLoader loader, boolean ownOnly)
            throws UnitRefusal {
        Map<String, IdentityConnectorFactory> factories = new LinkedHashMap<>();
        try {
            for (ServiceLoader.Provider<IdentityConnectorFactory> provider
                    : ServiceLoader.load(IdentityConnectorFactory.class, loader).stream().toList()) {
                if (ownOnly && provider.type().getClassLoader() != loader) {
                    continue;
                }
                IdentityConnectorFactory factory = provider.get();
                String name = factory.name();
                if (factory.apiVersion() != ConnectorApi.VERSION) {
                    throw new UnitRefusal(name, "was built for connector API " + factory.apiVersion()
                            + ", this gateway speaks " + ConnectorApi.VERSION);
                }
                if (factories.putIfAbsent(name, factory) != null) {
                    throw new UnitRefusal(name, "is named by two factories of the same unit");
                }
            }
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
            throw new UnitRefusal(null, "its connector factories cannot be loaded: " + e, e);
        }
        return factories;
    }
}
