package dev.passerelle.gateway.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;
import dev.passerelle.gateway.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorLoaderTest {

    private static final String FIXTURE_PACKAGE = "fixture.connector";

    @TempDir
    Path work;

    private static ConnectorContext staticContext(Map<String, Object> settings) {
        return new ConnectorContext("identity.static", settings, "example.com");
    }

    /**
     * Compiles an identity connector factory named {@code name} that claims {@code apiVersion}
     * and writes it, with its ServiceLoader entry, as {@code <name>.jar} into {@code dir}. It is
     * compiled here rather than taken from the test classes so that the jar is the only place the
     * class exists: the loader can find it only by opening the jar. Its connector refuses settings
     * holding a string {@code fail}, with that string as the whole message.
     */
    private Path connectorJar(Path dir, String name, int apiVersion) throws IOException {
        String simpleName = Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Factory";
        String className = FIXTURE_PACKAGE + "." + simpleName;
        String source = """
                package %s;

                import dev.passerelle.connector.spi.ConnectorContext;
                import dev.passerelle.connector.spi.Identity;
                import dev.passerelle.connector.spi.IdentityConnector;
                import dev.passerelle.connector.spi.IdentityConnectorFactory;
                import java.util.Optional;

                public final class %s implements IdentityConnectorFactory {
                    public String name() { return "%s"; }
                    public int apiVersion() { return %d; }
                    public IdentityConnector create(ConnectorContext context) {
                        if (context.settings().get("fail") instanceof String message) {
                            throw new dev.passerelle.connector.spi.ConnectorException(message);
                        }
                        return new IdentityConnector() {
                            public Identity authenticate(String token) {
                                return new Identity(token, "sip:" + token + "@" + context.sipDomain(), null, null);
                            }
                            public Optional<Identity> lookup(String user) { return Optional.empty(); }
                        };
                    }
                }
                """.formatted(FIXTURE_PACKAGE, simpleName, name, apiVersion);

        Path src = Files.createDirectories(work.resolve("src-" + name));
        Path classes = Files.createDirectories(work.resolve("classes-" + name));
        Path file = Files.writeString(src.resolve(simpleName + ".java"), source);
        String spi = Path.of(toUri(ConnectorApi.class)).toString();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "the tests need a JDK, not a JRE: no system Java compiler");
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, null, errors, "--release", "17", "-classpath", spi, "-d", classes.toString(),
                file.toString());
        assertEquals(0, status, "fixture did not compile: " + errors.toString(StandardCharsets.UTF_8));

        Path jar = dir.resolve(name + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
                Stream<Path> compiled = Files.walk(classes)) {
            for (Path c : compiled.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
                zip.write(Files.readAllBytes(c));
                zip.closeEntry();
            }
            zip.putNextEntry(new JarEntry("META-INF/services/" + IdentityConnectorFactory.class.getName()));
            zip.write((className + "\n").getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return jar;
    }

    private static URI toUri(Class<?> type) {
        try {
            return type.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void staticConnectorIsFoundThroughServiceLoader() {
        try (ConnectorLoader loader = new ConnectorLoader(work.resolve("absent"))) {
            IdentityConnector connector = loader.identity("static", staticContext(Map.of()));

            // With no users configured, the static connector serves its demo users.
            Identity alice = connector.authenticate("alice");
            assertEquals("alice", alice.user());
            assertEquals("sip:alice@example.com", alice.sipUri());
        }
    }

    @Test
    void unknownConnectorListsTheInstalledOnes() {
        try (ConnectorLoader loader = new ConnectorLoader(work.resolve("absent"))) {
            ConfigException e = assertThrows(ConfigException.class, () -> loader.identity("jwt", staticContext(Map.of())));

            assertEquals("identity.connector", e.key());
            assertEquals("identity.connector: no connector named 'jwt' is installed; installed: [static]", e.getMessage());
        }
    }

    @Test
    void connectorInAJarOfTheFolderIsLoaded() throws IOException {
        Path dir = Files.createDirectories(work.resolve("connectors"));
        connectorJar(dir, "fixture", ConnectorApi.VERSION);

        try (ConnectorLoader loader = new ConnectorLoader(dir)) {
            IdentityConnector connector = loader.identity("fixture", staticContext(Map.of()));

            assertEquals(new Identity("carol", "sip:carol@example.com", null, null), connector.authenticate("carol"));
            assertNotSame(ConnectorLoaderTest.class.getClassLoader(), connector.getClass().getClassLoader(),
                    "the fixture must come from the jar, not the test class path");
        }
    }

    @Test
    void installedListIncludesTheJarsOfTheFolder() throws IOException {
        Path dir = Files.createDirectories(work.resolve("connectors"));
        connectorJar(dir, "fixture", ConnectorApi.VERSION);

        try (ConnectorLoader loader = new ConnectorLoader(dir)) {
            ConfigException e = assertThrows(ConfigException.class, () -> loader.identity("jwt", staticContext(Map.of())));

            assertEquals("identity.connector: no connector named 'jwt' is installed; installed: [static, fixture]",
                    e.getMessage());
        }
    }

    @Test
    void connectorBuiltForAnotherApiVersionIsRefused() throws IOException {
        Path dir = Files.createDirectories(work.resolve("connectors"));
        Path jar = connectorJar(dir, "legacy", ConnectorApi.VERSION + 98);

        try (ConnectorLoader loader = new ConnectorLoader(dir)) {
            ConfigException e = assertThrows(ConfigException.class, () -> loader.identity("legacy", staticContext(Map.of())));

            assertEquals("identity.connector", e.key());
            assertEquals("identity.connector: connector 'legacy' (" + jar.toUri().toURL()
                    + ") was built for connector API " + (ConnectorApi.VERSION + 98) + ", this gateway speaks "
                    + ConnectorApi.VERSION, e.getMessage());
        }
    }

    @Test
    void filesOtherThanJarsAreIgnored() throws IOException {
        Path dir = Files.createDirectories(work.resolve("connectors"));
        Path jar = connectorJar(dir, "fixture", ConnectorApi.VERSION);
        Files.move(jar, dir.resolve("fixture.jar.disabled"));

        try (ConnectorLoader loader = new ConnectorLoader(dir)) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> loader.identity("fixture", staticContext(Map.of())));
            assertEquals("identity.connector: no connector named 'fixture' is installed; installed: [static]",
                    e.getMessage());
        }
    }

    @Test
    void invalidSettingsNameTheKeyAtFault() {
        Map<String, Object> settings = Map.of("users", List.of(Map.of("user", "alice")));

        try (ConnectorLoader loader = new ConnectorLoader(work.resolve("absent"))) {
            ConfigException e = assertThrows(ConfigException.class, () -> loader.identity("static", staticContext(settings)));

            assertEquals("identity.static.users[0].token", e.key());
            assertEquals("identity.static.users[0].token: required", e.getMessage());
        }
    }

    @Test
    void settingsErrorThatNamesNoKeyIsReportedAgainstTheSubtree() throws IOException {
        Path dir = Files.createDirectories(work.resolve("connectors"));
        connectorJar(dir, "picky", ConnectorApi.VERSION);

        try (ConnectorLoader loader = new ConnectorLoader(dir)) {
            ConfigException e = assertThrows(ConfigException.class, () -> loader.identity("picky",
                    new ConnectorContext("identity.picky", Map.of("fail", "no key named here"), "example.com")));

            assertEquals("identity.picky", e.key());
            assertEquals("identity.picky: no key named here", e.getMessage());
        }
    }
}
