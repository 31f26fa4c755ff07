package dev.passerelle.gateway.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.passerelle.connector.spi.ConnectorKind.IDENTITY;
import static dev.passerelle.connector.spi.ConnectorKind.MEDIA;
import static dev.passerelle.connector.spi.ConnectorKind.PROVIDER;
import static dev.passerelle.connector.spi.ConnectorKind.QOS;

import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorKind;
import dev.passerelle.connector.spi.IceServer;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.MediaConnector.Leg;
import dev.passerelle.connector.spi.ProviderInvite;
import dev.passerelle.connector.spi.ProviderListener;
import dev.passerelle.gateway.media.passthrough.PassthroughAnchor;
import dev.passerelle.gateway.config.ConfigException;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorRegistryTest {

    @TempDir
    Path work;

    private Path dir;
    private Path staging;
    private ConnectorJars jars;

    @BeforeEach
    void folders() throws IOException {
        dir = Files.createDirectories(work.resolve("connectors"));
        staging = Files.createDirectories(work.resolve("staging"));
        jars = new ConnectorJars(work.resolve("build"));
    }

    /** A registry selecting identity {@code name} (with {@code settings}), the built-in qos turn and media passthrough. */
    static ConnectorRegistry registry(Path dir, String name, Map<String, Object> settings) {
        return registry(dir, name, "turn", "passthrough", (kind, n) -> kind == IDENTITY ? settings : Map.of());
    }

    static ConnectorRegistry registry(Path dir, String identity, String qos, String media,
            BiFunction<ConnectorKind, String, Map<String, Object>> settings) {
        return new ConnectorRegistry(dir, Map.of(IDENTITY, identity, QOS, qos, MEDIA, media),
                (kind, name) -> new ConnectorContext(kind.settingsKey(name), settings.apply(kind, name), "example.com"));
    }

    private static String displayName(ConnectorRegistry registry, String token) {
        return registry.identity().authenticate(token).displayName();
    }

    /** Copies a jar built aside over {@code target}, in place, as an operator's cp does. */
    private static void copyOver(Path built, Path target) throws IOException {
        Files.copy(built, target, StandardCopyOption.REPLACE_EXISTING);
    }

    // --- at start, as before hot reload

    @Test
    void staticConnectorIsFoundThroughServiceLoader() {
        try (ConnectorRegistry registry = registry(work.resolve("absent"), "static", Map.of())) {
            // With no users configured, the static connector serves its demo users.
            Identity alice = registry.identity().authenticate("alice");
            assertEquals("alice", alice.user());
            assertEquals("sip:alice@example.com", alice.sipUri());
        }
    }

    @Test
    void unknownConnectorListsTheInstalledOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> registry(work.resolve("absent"), "jwt", Map.of()));

        assertEquals("identity.connector", e.key());
        assertEquals("identity.connector: no connector named 'jwt' is installed; installed: [static]", e.getMessage());
    }

    @Test
    void connectorInAJarOfTheFolderIsLoadedInALoaderOfItsOwn() {
        jars.identity(dir.resolve("fixture.jar"), "fixture", "v1");
        jars.identity(dir.resolve("other.jar"), "other", "v1");

        try (ConnectorRegistry registry = registry(dir, "fixture", Map.of());
                ConnectorRegistry other = registry(dir, "other", Map.of())) {
            Identity carol = registry.identity().authenticate("carol");
            assertEquals(new Identity("carol", "sip:carol@example.com", "v1", null), carol);
            assertEquals(Optional.of(carol), registry.identity().lookup("carol"));
            assertEquals(Optional.empty(), registry.identity().lookup("dave"));

            ClassLoader fixtureLoader = current(registry).getClass().getClassLoader();
            assertNotSame(ConnectorRegistryTest.class.getClassLoader(), fixtureLoader,
                    "the fixture must come from the jar, not the test class path");
            assertSame(ConnectorRegistry.class.getClassLoader(), fixtureLoader.getParent(),
                    "a unit's loader sits below the gateway's, which holds the SPI");
            assertNotSame(fixtureLoader, current(other).getClass().getClassLoader(), "two jars, two units");
        }
    }

    @Test
    void installedListIncludesTheJarsOfTheFolder() {
        jars.identity(dir.resolve("fixture.jar"), "fixture", "v1");

        ConfigException e = assertThrows(ConfigException.class, () -> registry(dir, "jwt", Map.of()));

        assertEquals("identity.connector: no connector named 'jwt' is installed; installed: [static, fixture]",
                e.getMessage());
    }

    @Test
    void connectorBuiltForAnotherApiVersionIsRefused() {
        Path jar = jars.identity(dir.resolve("legacy.jar"), "legacy", "v1", ConnectorApi.VERSION + 98);

        ConfigException e = assertThrows(ConfigException.class, () -> registry(dir, "legacy", Map.of()));

        assertEquals("identity.connector", e.key());
        assertEquals("identity.connector: connector 'legacy' (" + jar + ") was built for connector API "
                + (ConnectorApi.VERSION + 98) + ", this gateway speaks " + ConnectorApi.VERSION, e.getMessage());
    }

    @Test
    void filesOtherThanJarsAreIgnored() throws IOException {
        Path jar = jars.identity(dir.resolve("fixture.jar"), "fixture", "v1");
        Files.move(jar, dir.resolve("fixture.jar.disabled"));

        ConfigException e = assertThrows(ConfigException.class, () -> registry(dir, "fixture", Map.of()));

        assertEquals("identity.connector: no connector named 'fixture' is installed; installed: [static]", e.getMessage());
    }

    @Test
    void invalidSettingsNameTheKeyAtFault() {
        Map<String, Object> settings = Map.of("users", List.of(Map.of("user", "alice")));

        ConfigException e = assertThrows(ConfigException.class, () -> registry(work.resolve("absent"), "static", settings));

        assertEquals("identity.static.users[0].token", e.key());
        assertEquals("identity.static.users[0].token: required", e.getMessage());
    }

    @Test
    void settingsErrorThatNamesNoKeyIsReportedAgainstTheSubtree() {
        jars.identity(dir.resolve("picky.jar"), "picky", "v1");

        ConfigException e = assertThrows(ConfigException.class,
                () -> registry(dir, "picky", Map.of("fail", "no key named here")));

        assertEquals("identity.picky", e.key());
        assertEquals("identity.picky: no key named here", e.getMessage());
    }

    @Test
    void connectorWhoseDependencyIsMissingStopsTheStart() {
        jars.identityWithLibrary(dir.resolve("needy.jar"), staging.resolve("tag.jar"), "needy", "v1");

        ConfigException e = assertThrows(ConfigException.class, () -> registry(dir, "needy", Map.of()));

        assertEquals("identity.connector", e.key());
        assertTrue(e.getMessage().startsWith("identity.connector: connector 'needy' (" + dir.resolve("needy.jar")
                + ") failed to start: java.lang.NoClassDefFoundError: fixture/lib/Tag"), e.getMessage());
    }

    // --- units

    @Test
    void subFolderIsOneUnitOfAConnectorAndItsDependencies() {
        Path unit = dir.resolve("needy");
        jars.identityWithLibrary(unit.resolve("needy.jar"), unit.resolve("tag.jar"), "needy", "from-the-library");

        try (ConnectorRegistry registry = registry(dir, "needy", Map.of())) {
            assertEquals("from-the-library", displayName(registry, "carol"));
        }
    }

    @Test
    void theCopiesOfLoadedJarsAreDeletedOnClose() throws IOException {
        jars.identity(dir.resolve("fixture.jar"), "fixture", "v1");
        ConnectorRegistry registry = registry(dir, "fixture", Map.of());
        Path copy = Path.of(current(registry).getClass().getProtectionDomain().getCodeSource().getLocation().getPath());
        assertTrue(Files.isRegularFile(copy), copy.toString());
        assertFalse(copy.startsWith(dir), "the gateway runs a copy, not the operator's file: " + copy);

        registry.close();

        assertFalse(Files.exists(copy), copy + " outlived the registry");
    }

    // --- swap

    @Test
    void jarCopiedOverTheOneInUseIsSwappedIn() throws IOException {
        Path jar = jars.identity(dir.resolve("probe.jar"), "probe", "v1");
        List<Object> closed = new CopyOnWriteArrayList<>();
        try (ConnectorRegistry registry = registry(dir, "probe", Map.of("closed", closed))) {
            IdentityConnector handedOut = registry.identity();
            assertEquals("v1", displayName(registry, "carol"));

            copyOver(jars.identity(staging.resolve("probe.jar"), "probe", "v2"), jar);
            assertFalse(registry.rescan(), "nothing to retry");

            assertSame(handedOut, registry.identity(), "the routes keep the object they were given");
            assertEquals("v2", displayName(registry, "carol"));
            assertEquals(List.of("v1"), closed, "the old instance is closed once swapped out");
        }
        assertEquals(List.of("v1", "v2"), closed);
    }

    @Test
    void unitAddedAfterTheStartReplacesTheBuiltInConnector() {
        try (ConnectorRegistry registry = registry(dir, "static", Map.of())) {
            assertEquals("Alice", displayName(registry, "alice"), "the demo user of the built-in static connector");

            jars.identity(dir.resolve("static.jar"), "static", "from-the-folder");
            registry.rescan();

            assertEquals("from-the-folder", displayName(registry, "carol"));
        }
    }

    @Test
    void loginInFlightFinishesOnTheOldInstance() throws Exception {
        Path jar = jars.identity(dir.resolve("probe.jar"), "probe", "v1");
        List<Object> closed = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        try (ConnectorRegistry registry = registry(dir, "probe",
                Map.of("closed", closed, "entered", entered, "proceed", proceed))) {
            CompletableFuture<Identity> inFlight = CompletableFuture.supplyAsync(() -> registry.identity().authenticate("block"));
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the login did not reach the connector");

            copyOver(jars.identity(staging.resolve("probe.jar"), "probe", "v2"), jar);
            registry.rescan();

            assertEquals("v2", displayName(registry, "carol"), "logins after the swap use the new instance");
            assertEquals(List.of(), closed, "the old instance is closed while a login still runs on it");
            proceed.countDown();
            assertEquals("v1", inFlight.get(10, TimeUnit.SECONDS).displayName());
            assertEquals(List.of("v1"), closed, "the old instance outlived its last login");
        }
    }

    // --- refusal

    @Test
    void jarOfAnotherApiVersionIsRefusedAndTheOldOneStays() throws IOException {
        Path jar = jars.identity(dir.resolve("probe.jar"), "probe", "v1");
        try (ConnectorRegistry registry = registry(dir, "probe", Map.of())) {
            copyOver(jars.identity(staging.resolve("probe.jar"), "probe", "v99", 99), jar);
            registry.rescan();

            assertEquals("v1", displayName(registry, "carol"));

            copyOver(jars.identity(staging.resolve("probe.jar"), "probe", "v2"), jar);
            registry.rescan();
            assertEquals("v2", displayName(registry, "carol"), "a refused unit is tried again once it changes");
        }
    }

    @Test
    void connectorWhoseCreateFailsIsRefusedAndTheOldOneStays() throws IOException {
        Path unit = dir.resolve("needy");
        jars.identityWithLibrary(unit.resolve("needy.jar"), unit.resolve("tag.jar"), "needy", "v1");
        try (ConnectorRegistry registry = registry(dir, "needy", Map.of())) {
            // v2 of the connector, without its library: create throws NoClassDefFoundError.
            Path built = jars.identityWithLibrary(staging.resolve("needy.jar"), staging.resolve("tag.jar"), "needy", "v2");
            copyOver(built, unit.resolve("needy.jar"));
            Files.delete(unit.resolve("tag.jar"));
            registry.rescan();

            assertEquals("v1", displayName(registry, "carol"));
        }
    }

    @Test
    void secondUnitNamingTheSameConnectorIsRefused() throws IOException {
        Path first = jars.identity(dir.resolve("a-probe.jar"), "probe", "first");
        try (ConnectorRegistry registry = registry(dir, "probe", Map.of())) {
            jars.identity(dir.resolve("b-probe.jar"), "probe", "second");
            registry.rescan();
            assertEquals("first", displayName(registry, "carol"));

            Files.delete(first);
            registry.rescan();
            assertEquals("second", displayName(registry, "carol"), "once alone, the other unit is taken");
        }
    }

    @Test
    void halfWrittenJarIsTriedAgainThenRefusedWhenItStopsChanging() throws IOException {
        Path jar = jars.identity(dir.resolve("probe.jar"), "probe", "v1");
        try (ConnectorRegistry registry = registry(dir, "probe", Map.of())) {
            byte[] v2 = Files.readAllBytes(jars.identity(staging.resolve("probe.jar"), "probe", "v2"));
            Files.write(jar, Arrays.copyOf(v2, v2.length / 2));

            assertTrue(registry.rescan(), "a jar that cannot be opened yet asks for another rescan");
            assertEquals("v1", displayName(registry, "carol"));
            assertFalse(registry.rescan(), "unchanged for a whole quiet period: broken, refused");
            assertEquals("v1", displayName(registry, "carol"));

            Files.write(jar, v2);
            assertFalse(registry.rescan());
            assertEquals("v2", displayName(registry, "carol"));
        }
    }

    // --- unload

    @Test
    void removedUnitFallsBackToTheBuiltInConnector() throws IOException {
        Path jar = jars.identity(dir.resolve("static.jar"), "static", "from-the-folder");
        try (ConnectorRegistry registry = registry(dir, "static", Map.of())) {
            assertEquals("from-the-folder", displayName(registry, "alice"));

            Files.delete(jar);
            registry.rescan();

            assertEquals("Alice", displayName(registry, "alice"), "the demo user of the built-in static connector");
            assertThrows(AuthenticationException.class,
                    () -> registry.identity().authenticate("carol"), "the built-in connector knows no carol");
        }
    }

    @Test
    void removedUnitWithoutBuiltInRefusesLoginsUntilItIsBack() throws IOException {
        Path unit = dir.resolve("probe");
        jars.identity(unit.resolve("probe.jar"), "probe", "v1");
        List<Object> closed = new CopyOnWriteArrayList<>();
        try (ConnectorRegistry registry = registry(dir, "probe", Map.of("closed", closed))) {
            deleteTree(unit);
            registry.rescan();

            GatewayException e = assertThrows(GatewayException.class, () -> registry.identity().authenticate("carol"));
            assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code());
            assertEquals("identity connector 'probe' is not installed", e.getMessage());
            assertEquals(Optional.empty(), registry.identity().lookup("carol"),
                    "no connector knows no one: logged-in users are still known to the store");
            assertEquals(List.of("v1"), closed);

            jars.identity(unit.resolve("probe.jar"), "probe", "v2");
            registry.rescan();
            assertEquals("v2", displayName(registry, "carol"));
        }
    }

    @Test
    void newVersionThatNoLongerProvidesTheConnectorUnloadsIt() throws IOException {
        Path jar = jars.identity(dir.resolve("probe.jar"), "probe", "v1");
        List<Object> closed = new CopyOnWriteArrayList<>();
        try (ConnectorRegistry registry = registry(dir, "probe", Map.of("closed", closed))) {
            copyOver(jars.identity(staging.resolve("probe.jar"), "renamed", "v2"), jar);
            registry.rescan();

            GatewayException e = assertThrows(GatewayException.class, () -> registry.identity().authenticate("carol"));
            assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code());
            assertEquals(List.of("v1"), closed);
        }
    }

    // --- qos

    private static final Map<String, Object> BUILT_IN_TURN = Map.of("urls", List.of("turn:built-in.example.com"));

    private static String iceUrl(ConnectorRegistry registry) {
        List<IceServer> servers = registry.qos().iceServers("alice");
        assertEquals(1, servers.size(), servers.toString());
        return servers.get(0).urls().get(0);
    }

    @Test
    void qosConnectorOfAJarReplacesTheBuiltInIsSwappedAndFallsBackWhenRemoved() throws IOException {
        List<Object> closed = new CopyOnWriteArrayList<>();
        Map<String, Object> settings = Map.of("urls", List.of("turn:built-in.example.com"), "closed", closed);
        try (ConnectorRegistry registry = registry(dir, "static", "turn", "passthrough",
                (kind, name) -> kind == QOS ? settings : Map.of())) {
            assertEquals("turn:built-in.example.com", iceUrl(registry), "connectors/qos-turn, built in");

            Path jar = jars.connector(dir.resolve("turn.jar"), QOS, "turn", "v1");
            registry.rescan();
            assertEquals("stun:v1.example.com", iceUrl(registry));

            copyOver(jars.connector(staging.resolve("turn.jar"), QOS, "turn", "v2"), jar);
            registry.rescan();
            assertEquals("stun:v2.example.com", iceUrl(registry));
            assertEquals(List.of("v1"), closed);

            Files.delete(jar);
            registry.rescan();
            assertEquals("turn:built-in.example.com", iceUrl(registry));
            assertEquals(List.of("v1", "v2"), closed);
        }
    }

    @Test
    void qosConnectorRefusedAtStartNamesTheKey() {
        Path jar = jars.connector(dir.resolve("legacy.jar"), QOS, "legacy", "v1", ConnectorApi.VERSION + 98);
        ConfigException old = assertThrows(ConfigException.class,
                () -> registry(dir, "static", "legacy", "passthrough", (kind, name) -> Map.of()));
        assertEquals("qos.connector: connector 'legacy' (" + jar + ") was built for connector API "
                + (ConnectorApi.VERSION + 98) + ", this gateway speaks " + ConnectorApi.VERSION, old.getMessage());

        ConfigException missing = assertThrows(ConfigException.class,
                () -> registry(dir, "static", "nosuch", "passthrough", (kind, name) -> Map.of()));
        assertEquals("qos.connector: no connector named 'nosuch' is installed; installed: [turn]", missing.getMessage());

        ConfigException ttl = assertThrows(ConfigException.class, () -> registry(dir, "static", "turn", "passthrough",
                (kind, name) -> kind == QOS ? Map.of("ttl", 59) : Map.of()));
        assertEquals("qos.turn.ttl", ttl.key());
        assertEquals("qos.turn.ttl: must be between 60 and 2592000 seconds, got 59", ttl.getMessage());
    }

    @Test
    void qosConnectorWhoseCreateFailsIsRefusedAndTheBuiltInStays() {
        // The built-in turn ignores "fail"; the jar's connector throws with it.
        Map<String, Object> settings = Map.of("urls", List.of("turn:built-in.example.com"), "fail", "qos.turn.x: broken");
        try (ConnectorRegistry registry = registry(dir, "static", "turn", "passthrough",
                (kind, name) -> kind == QOS ? settings : Map.of())) {
            jars.connector(dir.resolve("turn.jar"), QOS, "turn", "v1");
            registry.rescan();
            assertEquals("turn:built-in.example.com", iceUrl(registry));
        }
    }

    @Test
    void qosConnectorRemovedWithoutBuiltInRefusesLoginsWith503() throws IOException {
        Path jar = jars.connector(dir.resolve("probe.jar"), QOS, "probe", "v1");
        try (ConnectorRegistry registry = registry(dir, "static", "probe", "passthrough", (kind, name) -> Map.of())) {
            assertEquals("stun:v1.example.com", iceUrl(registry));
            Files.delete(jar);
            registry.rescan();

            GatewayException e = assertThrows(GatewayException.class, () -> registry.qos().iceServers("alice"));
            assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code());
            assertEquals("qos connector 'probe' is not installed", e.getMessage());
        }
    }

    // --- media

    private static ConnectorRegistry mediaRegistry(Path dir, String media, Map<String, Object> settings) {
        return registry(dir, "static", "turn", media, (kind, name) -> kind == MEDIA ? settings : Map.of());
    }

    @Test
    void builtInMediaConnectorsComeFromTheGatewaysOwnServiceFile() {
        try (ConnectorRegistry passthrough = mediaRegistry(dir, "passthrough", Map.of());
                ConnectorRegistry rtpengine = mediaRegistry(dir, "rtpengine", Map.of("ng", "udp:127.0.0.1:2223"))) {
            MediaConnectors.Pin pin = passthrough.media().pin();
            assertTrue(pin.connector() instanceof PassthroughAnchor, pin.connector().getClass().getName());
            assertFalse(pin.connector().bridgesWebRtcToPlainRtp());
            pin.unpin();
            MediaConnectors.Pin relay = rtpengine.media().pin();
            assertTrue(relay.connector().bridgesWebRtcToPlainRtp(), "rtpengine bridges WebRTC to plain RTP");
            relay.unpin();
        }
    }

    @Test
    void mediaConnectorThatCannotStartNamesTheKey() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> mediaRegistry(dir, "nosuch", Map.of()));
        assertEquals("media.anchor: no connector named 'nosuch' is installed; installed: [passthrough, rtpengine]",
                unknown.getMessage());

        ConfigException host = assertThrows(ConfigException.class,
                () -> mediaRegistry(dir, "rtpengine", Map.of("ng", "udp:no-such-host.invalid:2223")));
        assertEquals("media.rtpengine.ng", host.key());
        assertEquals("media.rtpengine.ng: unknown host no-such-host.invalid", host.getMessage());
    }

    @Test
    void aCallStaysOnTheMediaInstanceOfItsFirstOfferUntilItIsReleased() throws IOException {
        Path jar = jars.connector(dir.resolve("probe.jar"), MEDIA, "probe", "v1");
        List<Object> closed = new CopyOnWriteArrayList<>();
        List<Object> released = new CopyOnWriteArrayList<>();
        try (ConnectorRegistry registry = mediaRegistry(dir, "probe", Map.of("closed", closed, "released", released))) {
            MediaConnectors.Pin first = registry.media().pin();
            assertEquals("v1", first.connector().offer("c1", Leg.WEB, "offer"));

            copyOver(jars.connector(staging.resolve("probe.jar"), MEDIA, "probe", "v2"), jar);
            registry.rescan();

            MediaConnectors.Pin second = registry.media().pin();
            assertEquals("v2", second.connector().offer("c2", Leg.WEB, "offer"), "a new call gets the new version");
            assertEquals("v1", first.connector().answer("c1", Leg.SIP, "answer"), "the pinned call keeps v1");
            assertEquals(List.of(), closed, "v1 is closed while a call is pinned to it");

            first.connector().release("c1");
            first.unpin();
            first.unpin();
            assertEquals(List.of("v1 c1"), released);
            assertEquals(List.of("v1"), closed, "v1 is closed once its last call let go");
            second.unpin();
        }
        assertEquals(List.of("v1", "v2"), closed);
    }

    @Test
    void mediaConnectorRemovedWithoutBuiltInRefusesNewCallsWhilePinnedOnesGoOn() throws IOException {
        Path unit = dir.resolve("probe");
        jars.connector(unit.resolve("probe.jar"), MEDIA, "probe", "v1");
        List<Object> closed = new CopyOnWriteArrayList<>();
        try (ConnectorRegistry registry = mediaRegistry(dir, "probe", Map.of("closed", closed))) {
            MediaConnectors.Pin pinned = registry.media().pin();
            deleteTree(unit);
            registry.rescan();

            GatewayException e = assertThrows(GatewayException.class, () -> registry.media().pin());
            assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code());
            assertEquals("media connector 'probe' is not installed", e.getMessage());
            assertEquals("v1", pinned.connector().offer("c1", Leg.SIP, "re-offer"));
            pinned.unpin();
            assertEquals(List.of("v1"), closed);
        }
    }

    @Test
    void nameConflictsArePerKind() throws IOException {
        jars.connector(dir.resolve("a-media.jar"), MEDIA, "probe", "media");
        jars.identity(dir.resolve("b-identity.jar"), "probe", "identity");
        try (ConnectorRegistry registry = registry(dir, "probe", "turn", "probe", (kind, name) -> Map.of())) {
            jars.connector(dir.resolve("c-media.jar"), MEDIA, "probe", "other media");
            registry.rescan();

            assertEquals("identity", displayName(registry, "carol"), "an identity 'probe' beside a media 'probe'");
            MediaConnectors.Pin pin = registry.media().pin();
            assertEquals("media", pin.connector().offer("c1", Leg.WEB, "offer"), "the second media 'probe' is refused");
            pin.unpin();
        }
    }

    // --- provider

    private static ConnectorRegistry providerRegistry(Path dir, Map<String, Object> settings) {
        return registry(dir, "static", "turn", "passthrough", (kind, name) -> kind == PROVIDER ? settings : Map.of());
    }

    /** What the provider of the claim answers an invite with: its version. */
    private static String invite(Providers.Claim claim) {
        List<String> accepted = new CopyOnWriteArrayList<>();
        claim.connector().invite(new ProviderInvite("c1", new Identity("alice", "sip:alice@example.com", null, null),
                "bob@" + claim.name() + ".example", "offer", Map.of()), new ProviderListener() {
                    @Override
                    public void progress(int code, String reason, String sdp) {}

                    @Override
                    public void accepted(String sdp) {
                        accepted.add(sdp);
                    }

                    @Override
                    public void ended(int code, String reason) {}
                });
        assertEquals(1, accepted.size());
        return accepted.get(0);
    }

    @Test
    void everyProviderInstalledClaimsItsDestinations() {
        jars.connector(dir.resolve("partner.jar"), PROVIDER, "partner", "v1");
        jars.connector(dir.resolve("chat.jar"), PROVIDER, "chat", "v1");
        try (ConnectorRegistry registry = providerRegistry(dir, Map.of())) {
            try (Providers.Claim claim = registry.providers().claim("bob@partner.example").orElseThrow()) {
                assertEquals("partner", claim.name());
                assertEquals("v1", invite(claim));
            }
            assertEquals("chat", registry.providers().claim("carol@chat.example").orElseThrow().name());
            assertEquals(Optional.empty(), registry.providers().claim("bob@elsewhere.example"));
        }
    }

    @Test
    void aClaimKeepsItsProviderInstanceAcrossASwap() throws IOException {
        Path jar = jars.connector(dir.resolve("partner.jar"), PROVIDER, "partner", "v1");
        List<Object> closed = new CopyOnWriteArrayList<>();
        try (ConnectorRegistry registry = providerRegistry(dir, Map.of("closed", closed))) {
            Providers.Claim first = registry.providers().claim("bob@partner.example").orElseThrow();

            copyOver(jars.connector(staging.resolve("partner.jar"), PROVIDER, "partner", "v2"), jar);
            registry.rescan();

            try (Providers.Claim second = registry.providers().claim("bob@partner.example").orElseThrow()) {
                assertEquals("v2", invite(second));
            }
            assertEquals("v1", invite(first));
            assertEquals(List.of(), closed, "v1 is closed while a call holds its claim");
            first.close();
            first.close();
            assertEquals(List.of("v1"), closed);

            Files.delete(jar);
            registry.rescan();
            assertEquals(Optional.empty(), registry.providers().claim("bob@partner.example"), "unloaded");
            assertEquals(List.of("v1", "v2"), closed);
        }
    }

    @Test
    void providerThatCannotBeCreatedIsRefused() throws IOException {
        Map<String, Object> failing = Map.of("fail", "providers.partner.url: required");
        Path jar = jars.connector(staging.resolve("partner.jar"), PROVIDER, "partner", "v1");
        Files.copy(jar, dir.resolve("partner.jar"));
        ConfigException e = assertThrows(ConfigException.class, () -> providerRegistry(dir, failing));
        assertEquals("providers.partner.url", e.key(), "at the start, like every connector in use");

        Files.delete(dir.resolve("partner.jar"));
        try (ConnectorRegistry registry = providerRegistry(dir, failing)) {
            Files.copy(jar, dir.resolve("partner.jar"));
            registry.rescan();
            assertEquals(Optional.empty(), registry.providers().claim("bob@partner.example"), "refused later");
        }
    }

    @Test
    void providerOfAnotherApiVersionIsRefusedWithoutStoppingTheStart() {
        jars.connector(dir.resolve("partner.jar"), PROVIDER, "partner", "v1", ConnectorApi.VERSION + 1);
        try (ConnectorRegistry registry = providerRegistry(dir, Map.of())) {
            assertEquals(Optional.empty(), registry.providers().claim("bob@partner.example"));
        }
    }

    private static Object current(ConnectorRegistry registry) {
        IdentityConnector front = registry.identity();
        assertTrue(front instanceof SwappableIdentityConnector, front.getClass().getName());
        // The instance behind the front: its class tells which loader it came from.
        return ((SwappableIdentityConnector) front).slot().current().connector();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
