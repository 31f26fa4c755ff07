package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ConnectorFactory;
import dev.passerelle.connector.spi.ConnectorKind;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One version of a unit, loaded in a class loader of its own whose parent is the gateway's (so the
 * SPI is shared and nothing else of one unit is seen by another). Its jars are first copied to a
 * folder of this version only: an operator who copies a new version over the jar in place then
 * never changes the bytes an instance still running from the old version reads its classes from.
 * The copy is also what tells a complete jar from one still being written.
 *
 * <p>Held by the registry while it is the unit's current version and by every connector instance
 * created from it; the last holder closes the class loader and deletes the copies.
 */
final class LoadedUnit {
    private static final Logger log = LoggerFactory.getLogger(LoadedUnit.class);

    private final UnitSource source;
    private final Path copies;
    private final URLClassLoader loader;
    private final Map<String, String> versions;
    private final Map<ConnectorKind, Map<String, ConnectorFactory>> factories;
    private final Lease lease;

    private LoadedUnit(UnitSource source, Path copies, URLClassLoader loader, Map<String, String> versions,
            Map<ConnectorKind, Map<String, ConnectorFactory>> factories) {
        this.source = source;
        this.copies = copies;
        this.loader = loader;
        this.versions = versions;
        this.factories = factories;
        this.lease = new Lease(this::closeNow);
    }

    /**
     * Copies the unit's jars into {@code copies} (a new folder) and loads them.
     *
     * @throws IOException when a jar cannot be read or is not a complete jar, or the unit changed
     *     while it was copied: it may still be being written
     * @throws UnitRefusal when it can be read but not used
     */
    static LoadedUnit open(UnitSource source, Path copies, ClassLoader parent) throws IOException, UnitRefusal {
        Files.createDirectories(copies);
        URLClassLoader loader = null;
        try {
            List<URL> urls = new ArrayList<>();
            Map<String, String> versions = new HashMap<>();
            for (Path jar : source.jars()) {
                Path copy = Files.copy(jar, copies.resolve(jar.getFileName()));
                urls.add(copy.toUri().toURL());
            }
            if (!source.restamp().equals(source.stamp())) {
                throw new IOException("it changed while it was being read");
            }
            for (Path jar : source.jars()) {
                versions.put(jar.getFileName().toString(), implementationVersion(copies.resolve(jar.getFileName())));
            }
            loader = new URLClassLoader("connector-unit " + source.path().getFileName(), urls.toArray(URL[]::new), parent);
            return new LoadedUnit(source, copies, loader, versions, FactoryScan.factories(loader, true));
        } catch (IOException | UnitRefusal | RuntimeException e) {
            closeAndDelete(loader, copies);
            throw e;
        }
    }

    /** Opening the jar reads its central directory, which a jar still being written lacks. */
    private static String implementationVersion(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            return manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
        }
    }

    UnitSource source() {
        return source;
    }

    Path path() {
        return source.path();
    }

    /** The unit's factories of {@code kind}, by name. */
    Map<String, ConnectorFactory> factories(ConnectorKind kind) {
        return factories.get(kind);
    }

    /** What the unit provides, for log lines: {@code identity [probe], qos [turn]}. */
    String provides() {
        return describe(factories);
    }

    static String describe(Map<ConnectorKind, Map<String, ConnectorFactory>> factories) {
        StringBuilder out = new StringBuilder();
        factories.forEach((kind, byName) -> {
            if (!byName.isEmpty()) {
                out.append(out.length() == 0 ? "" : ", ").append(Slot.label(kind)).append(' ').append(byName.keySet());
            }
        });
        return out.length() == 0 ? "no connectors" : out.toString();
    }

    /**
     * Which jar of the unit a factory came from, after its manifest's Implementation-Version when
     * it has one: {@code v2.1 (probe.jar)}, else {@code (probe.jar)}.
     */
    String label(Object factory) {
        String jar = jarName(factory);
        String version = versions.get(jar);
        return version == null ? "(" + jar + ")" : "v" + version + " (" + jar + ")";
    }

    /** The file name of the jar (or class folder) a class was loaded from. */
    static String jarName(Object instance) {
        var source = instance.getClass().getProtectionDomain().getCodeSource();
        if (source == null) {
            return instance.getClass().getName();
        }
        try {
            return Path.of(source.getLocation().toURI()).getFileName().toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return source.getLocation().toString();
        }
    }

    boolean acquire() {
        return lease.acquire();
    }

    void release() {
        lease.release();
    }

    private void closeNow() {
        closeAndDelete(loader, copies);
        log.debug("connector unit {}: class loader closed", source.path());
    }

    private static void closeAndDelete(URLClassLoader loader, Path copies) {
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException e) {
                log.warn("closing the class loader of {} failed: {}", copies, e.toString());
            }
        }
        deleteTree(copies);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", root, e.toString());
        }
    }
}
