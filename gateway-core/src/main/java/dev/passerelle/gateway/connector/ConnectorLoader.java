package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.ConnectorFactory;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;
import dev.passerelle.gateway.config.ConfigException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds connector factories with {@link ServiceLoader}: those on the gateway's class path and
 * those in the jars of {@code connectors.dir}. A factory built for another
 * {@link ConnectorApi#VERSION} is refused with a message, never half-loaded.
 */
public final class ConnectorLoader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectorLoader.class);

    private final URLClassLoader classLoader;

    /** @param connectorsDir the {@code connectors.dir} folder; may not exist */
    public ConnectorLoader(Path connectorsDir) {
        this.classLoader = new URLClassLoader("passerelle-connectors", jarsIn(connectorsDir),
                ConnectorLoader.class.getClassLoader());
    }

    private static URL[] jarsIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return new URL[0];
        }
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
        } catch (MalformedURLException e) {
            throw new ConfigException("connectors.dir", "bad jar path: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConfigException("connectors.dir", "cannot list " + dir + ": " + e.getMessage(), e);
        }
        return urls.toArray(URL[]::new);
    }

    /**
     * Creates the identity connector selected by {@code identity.connector}.
     *
     * @throws ConfigException naming the key when no such connector is installed, when it was built
     *     for another API version, or when its settings are invalid
     */
    public IdentityConnector identity(String name, ConnectorContext context) {
        IdentityConnectorFactory factory = find(IdentityConnectorFactory.class, name, "identity.connector");
        try {
            IdentityConnector connector = factory.create(context);
            log.info("identity connector '{}' loaded from {}", name, origin(factory));
            return connector;
        } catch (ConnectorException e) {
            throw new ConfigException(context.settingsKey(), e.getMessage(), e);
        }
    }

    private <F extends ConnectorFactory> F find(Class<F> kind, String name, String key) {
        List<String> installed = new ArrayList<>();
        for (ServiceLoader.Provider<F> provider : ServiceLoader.load(kind, classLoader).stream().toList()) {
            F factory = provider.get();
            installed.add(factory.name());
            if (!factory.name().equals(name)) {
                continue;
            }
            if (factory.apiVersion() != ConnectorApi.VERSION) {
                throw new ConfigException(key, "connector '" + name + "' (" + origin(factory) + ") was built for connector API "
                        + factory.apiVersion() + ", this gateway speaks " + ConnectorApi.VERSION);
            }
            return factory;
        }
        throw new ConfigException(key, "no connector named '" + name + "' is installed; installed: " + installed);
    }

    private static String origin(Object factory) {
        var source = factory.getClass().getProtectionDomain().getCodeSource();
        return source == null ? factory.getClass().getName() : source.getLocation().toString();
    }

    @Override
    public void close() {
        try {
            classLoader.close();
        } catch (IOException e) {
            log.warn("closing the connector class loader failed", e);
        }
    }
}
