package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorKind;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds connector jars at test time: Java source compiled with the system compiler against the
 * SPI of the test class path, packed with its {@code META-INF/services} entry. A jar built here is
 * the only place its classes exist, so a connector found is one loaded from the jar. Also used by
 * the integration tests (through the test-jar).
 *
 * <p>Each jar holds one factory of one kind, whose connector tells which version answered by the
 * jar's {@code tag}. The settings of every kind may hold {@code fail} (a String: {@code create}
 * throws a ConnectorException with it as message) and {@code closed} (a {@code List<Object>}:
 * {@code close()} adds the tag to it).
 *
 * <ul>
 *   <li>identity: knows every token: the token is the user, and the display name is the tag.
 *       Settings {@code entered} and {@code proceed} (CountDownLatches): authenticating the token
 *       {@code block} counts down the first and waits for the second; the token
 *       {@code unavailable} throws IdentityUnavailableException. Lookup knows {@code carol} only.
 *   <li>qos: one ICE server, {@code stun:<tag>.example.com}, with the user as user name and the
 *       tag as credential.
 *   <li>media: every offer and answer comes out as the tag; settings {@code released} (a
 *       {@code List<Object>}) gets {@code "<tag> <callId>"} for every release.
 *   <li>provider: claims the destinations ending in {@code @<name>.example}; an invite is
 *       accepted at once with the tag as SDP.
 * </ul>
 */
public final class ConnectorJars {
    private static final AtomicInteger builds = new AtomicInteger();

    private final Path work;

    /** @param work a folder for sources and classes */
    public ConnectorJars(Path work) {
        this.work = work;
    }

    /** A jar with one identity connector factory named {@code name}. */
    public Path identity(Path jar, String name, String tag) {
        return identity(jar, name, tag, ConnectorApi.VERSION);
    }

    /** The same, claiming {@code apiVersion}. */
    public Path identity(Path jar, String name, String tag, int apiVersion) {
        return build(jar, ConnectorKind.IDENTITY, name, tag, apiVersion, "\"" + tag + "\"", null);
    }

    /**
     * A connector jar whose display name comes from the class {@code fixture.lib.Tag} of a second
     * jar, {@code lib}, written beside it: a connector with a dependency. Without {@code lib}
     * the connector's {@code create} fails with a NoClassDefFoundError.
     */
    public Path identityWithLibrary(Path jar, Path lib, String name, String tag) {
        Path libClasses = compile("Tag", "fixture.lib", """
                package fixture.lib;

                public final class Tag {
                    public static String value() { return "%s"; }
                }
                """.formatted(tag), null);
        pack(lib, libClasses, null, null, null);
        return build(jar, ConnectorKind.IDENTITY, name, tag, ConnectorApi.VERSION, "fixture.lib.Tag.value()", libClasses);
    }

    /** A jar with one connector factory of {@code kind} named {@code name}. */
    public Path connector(Path jar, ConnectorKind kind, String name, String tag) {
        return connector(jar, kind, name, tag, ConnectorApi.VERSION);
    }

    /** The same, claiming {@code apiVersion}. */
    public Path connector(Path jar, ConnectorKind kind, String name, String tag, int apiVersion) {
        return build(jar, kind, name, tag, apiVersion, "\"" + tag + "\"", null);
    }

    private static String source(ConnectorKind kind, String name, int apiVersion, String tagExpression) {
        String factory = kind.factoryType().getSimpleName();
        String connector = factory.replace("Factory", "");
        return """
                package fixture.connector;

                import dev.passerelle.connector.spi.*;
                import java.util.List;
                import java.util.Map;
                import java.util.Optional;
                import java.util.concurrent.CountDownLatch;

                public final class %1$s implements %2$s {
                    public String name() { return "%3$s"; }
                    public int apiVersion() { return %4$d; }
                    public %5$s create(ConnectorContext context) {
                        if (context.settings().get("fail") instanceof String message) {
                            throw new ConnectorException(message);
                        }
                        String tag = %6$s;
                        return new %5$s() {
                %7$s
                            @SuppressWarnings("unchecked")
                            public void close() {
                                if (context.settings().get("closed") instanceof List<?> closed) {
                                    ((List<Object>) closed).add(tag);
                                }
                            }
                        };
                    }
                }
                """.formatted(className(name, kind), factory, name, apiVersion, connector, tagExpression, body(kind, name));
    }

    /** The methods of the connector of {@code kind}, inside {@code create}: {@code context} and {@code tag} are in scope. */
    private static String body(ConnectorKind kind, String name) {
        return switch (kind) {
            case IDENTITY -> """
                            public Identity authenticate(String token) {
                                if (token.equals("unavailable")) {
                                    throw new IdentityUnavailableException("identity server " + tag + " did not answer");
                                }
                                if (token.equals("block")) {
                                    ((CountDownLatch) context.settings().get("entered")).countDown();
                                    try {
                                        ((CountDownLatch) context.settings().get("proceed")).await();
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                }
                                return new Identity(token, "sip:" + token + "@" + context.sipDomain(), tag, null);
                            }
                            public Optional<Identity> lookup(String user) {
                                return user.equals("carol") ? Optional.of(authenticate(user)) : Optional.empty();
                            }
                    """;
            case QOS -> """
                            public List<IceServer> iceServers(String user) {
                                return List.of(new IceServer(List.of("stun:" + tag + ".example.com"), user, tag));
                            }
                            public void report(QualityReport report) {}
                    """;
            case MEDIA -> """
                            public String offer(String callId, Leg from, String sdp) { return tag; }
                            public String answer(String callId, Leg from, String sdp) { return tag; }
                            @SuppressWarnings("unchecked")
                            public void release(String callId) {
                                if (context.settings().get("released") instanceof List<?> released) {
                                    ((List<Object>) released).add(tag + " " + callId);
                                }
                            }
                    """;
            case PROVIDER -> """
                            public boolean claims(String destination) {
                                return destination.endsWith("@%s.example");
                            }
                            public ProviderCall invite(ProviderInvite invite, ProviderListener listener) {
                                listener.accepted(tag);
                                return () -> {};
                            }
                    """.formatted(name);
        };
    }

    private static String className(String name, ConnectorKind kind) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1).replaceAll("[^A-Za-z0-9]", "_")
                + kind.factoryType().getSimpleName().replace("ConnectorFactory", "") + "Factory";
    }

    private Path build(Path jar, ConnectorKind kind, String name, String tag, int apiVersion, String tagExpression,
            Path extraClassPath) {
        String simpleName = className(name, kind);
        Path classes = compile(simpleName, "fixture.connector", source(kind, name, apiVersion, tagExpression),
                extraClassPath);
        // Implementation-Version 2 for the tag v2: the gateway logs it as v2.
        pack(jar, classes, kind.factoryType().getName(), "fixture.connector." + simpleName,
                tag.startsWith("v") ? tag.substring(1) : tag);
        return jar;
    }

    private Path compile(String simpleName, String packageName, String source, Path extraClassPath) {
        int build = builds.incrementAndGet();
        try {
            Path src = Files.createDirectories(work.resolve("src-" + build).resolve(packageName.replace('.', '/')));
            Path classes = Files.createDirectories(work.resolve("classes-" + build));
            Path file = Files.writeString(src.resolve(simpleName + ".java"), source);
            List<String> classPath = new ArrayList<>(List.of(spiLocation().toString()));
            if (extraClassPath != null) {
                classPath.add(extraClassPath.toString());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            if (javac == null) {
                throw new IllegalStateException("the tests need a JDK, not a JRE: no system Java compiler");
            }
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            int status = javac.run(null, null, errors, "--release", "17", "-classpath",
                    String.join(File.pathSeparator, classPath), "-d", classes.toString(), file.toString());
            if (status != 0) {
                throw new IllegalStateException("fixture did not compile: " + errors.toString(StandardCharsets.UTF_8));
            }
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the jar next to its final place and moves it there in one step, so that a watcher
     * never sees it half-written unless a test means it to.
     */
    private static void pack(Path jar, Path classes, String service, String provider, String version) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (version != null) {
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        }
        try {
            Files.createDirectories(jar.toAbsolutePath().getParent());
            Path partial = Files.createTempFile(jar.toAbsolutePath().getParent(), ".building-", ".part");
            try (OutputStream out = Files.newOutputStream(partial); JarOutputStream zip = new JarOutputStream(out, manifest);
                    Stream<Path> compiled = Files.walk(classes)) {
                for (Path c : compiled.filter(Files::isRegularFile).sorted().toList()) {
                    zip.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
                    zip.write(Files.readAllBytes(c));
                    zip.closeEntry();
                }
                if (service != null) {
                    zip.putNextEntry(new JarEntry("META-INF/services/" + service));
                    zip.write((provider + "\n").getBytes(StandardCharsets.UTF_8));
                    zip.closeEntry();
                }
            }
            Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path spiLocation() {
        try {
            return Path.of(ConnectorApi.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
