package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorKind;
import dev.passerelle.gateway.connector.ConnectorJars;
import dev.passerelle.gateway.connector.ConnectorRegistry;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.WsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A running gateway follows its {@code connectors.dir}: the identity connector {@code probe} (its
 * identities' display name is its version, {@code v1} or {@code v2}) is swapped, refused and
 * unloaded while a web-to-web call is up, without a restart; a QoS connector {@code turn} dropped
 * in replaces the built-in one, and removing it brings the built-in one back.
 */
class HotReloadIT {

    private static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path work;

    private Path connectorsDir;
    private Path staging;
    private ConnectorJars jars;
    private final Lines log = new Lines();
    private final Logger registryLogger = (Logger) LoggerFactory.getLogger(ConnectorRegistry.class);

    @BeforeEach
    void setUp() throws IOException {
        connectorsDir = Files.createDirectories(work.resolve("connectors"));
        staging = Files.createDirectories(work.resolve("staging"));
        jars = new ConnectorJars(work.resolve("build"));
        log.start();
        registryLogger.addAppender(log);
    }

    @AfterEach
    void tearDown() {
        registryLogger.detachAppender(log);
        log.stop();
    }

    @Test
    void connectorIsSwappedRefusedAndUnloadedWhileACallGoesOn() throws IOException, InterruptedException {
        Path jar = connectorsDir.resolve("probe.jar");
        Files.copy(jars.identity(staging.resolve("v1.jar"), "probe", "v1"), jar);

        try (GatewayHarness gateway = GatewayHarness.withConnector(connectorsDir, "probe", QUIET)) {
            WsClient alice = gateway.connect();
            assertEquals("v1", alice.login("alice").path("identity").path("displayName").asText());
            RpcReply unavailable = gateway.connect().call("session.login", params().put("token", "unavailable"), WAIT);
            assertEquals(503, unavailable.errorCode(), "the token may be good: try later, not 401");
            assertEquals("identity server v1 did not answer", unavailable.error().path("message").asText());
            WsClient bob = gateway.login("bob");
            String callId = establishCall(alice, bob);

            // An operator's cp: the jar in use is overwritten in place.
            Files.copy(jars.identity(staging.resolve("v2.jar"), "probe", "v2"), jar, StandardCopyOption.REPLACE_EXISTING);
            log.await(Level.INFO, "identity connector 'probe' v2 (probe.jar) loaded from " + jar + ", replacing " + jar);
            assertEquals("v2", displayNameAtLogin(gateway, "carol"));

            alice.callOk("call.hangup", params().put("callId", callId), WAIT);
            assertEquals("remote", bob.awaitCallEvent("call.ended", callId, WAIT).path("by").asText());
            assertEquals("local", alice.awaitCallEvent("call.ended", callId, WAIT).path("by").asText());

            Files.copy(jars.identity(staging.resolve("v99.jar"), "probe", "v99", 99), jar,
                    StandardCopyOption.REPLACE_EXISTING);
            log.await(Level.WARN, "connector unit " + jar + " refused: connector 'probe' was built for connector API 99,"
                    + " this gateway speaks " + ConnectorApi.VERSION + "; its previous version stays in use");
            assertEquals("v2", displayNameAtLogin(gateway, "dave"));

            Files.delete(jar);
            log.await(Level.WARN, "identity connector 'probe' is not installed any more (" + jar + " is gone): logins"
                    + " are refused with 503 until a unit provides it again");
            RpcReply refused = gateway.connect().call("session.login", params().put("token", "erin"), WAIT);
            assertEquals(503, refused.errorCode(), refused.message().toString());
            assertEquals("identity connector 'probe' is not installed", refused.error().path("message").asText());
        }
    }

    @Test
    void qosConnectorDroppedInReplacesTheBuiltInOneUntilItIsRemoved() throws IOException, InterruptedException {
        String builtIn = "qos:\n  turn:\n    urls: [\"turn:built-in.example.com\"]\n";
        try (GatewayHarness gateway = GatewayHarness.watching(connectorsDir, QUIET, builtIn)) {
            assertEquals("turn:built-in.example.com", iceUrl(gateway, "alice-token"), "connectors/qos-turn, built in");

            Path jar = connectorsDir.resolve("turn.jar");
            Files.copy(jars.connector(staging.resolve("turn.jar"), ConnectorKind.QOS, "turn", "v1"), jar);
            log.await(Level.INFO, "qos connector 'turn' v1 (turn.jar) loaded from " + jar
                    + ", replacing the gateway's class path");
            assertEquals("stun:v1.example.com", iceUrl(gateway, "bob-token"));

            Files.delete(jar);
            log.awaitStart(Level.INFO, "qos connector 'turn' (passerelle-qos-turn");
            assertEquals("turn:built-in.example.com", iceUrl(gateway, "carol-token"));
        }
    }

    /** The first URL of the first ICE server of a login with {@code token}. */
    private static String iceUrl(GatewayHarness gateway, String token) {
        return gateway.connect().login(token).path("iceServers").path(0).path("urls").path(0).asText();
    }

    /** alice calls bob, bob answers: the call is up when both have been told. */
    private static String establishCall(WsClient alice, WsClient bob) {
        String callId = alice.callOk("call.invite", params().put("to", "bob").put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT)
                .path("callId").asText();
        JsonNode incoming = bob.awaitCallEvent("call.incoming", callId, WAIT);
        bob.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_002, Sdp.newUfrag())), WAIT);
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        bob.awaitCallEvent("call.confirmed", callId, WAIT);
        return callId;
    }

    private static String displayNameAtLogin(GatewayHarness gateway, String token) {
        return gateway.connect().login(token).path("identity").path("displayName").asText();
    }

    /** The registry's log lines, as the gateway logs them while it runs. */
    private static final class Lines extends AppenderBase<ILoggingEvent> {
        private final BlockingQueue<ILoggingEvent> lines = new LinkedBlockingQueue<>();

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event);
        }

        /** Waits, at most {@link GatewayHarness#WAIT}, for that line, consuming the ones before it. */
        void await(Level level, String message) throws InterruptedException {
            await(level, message, false);
        }

        /** The same for a line that starts with {@code prefix}: the rest names a jar's version. */
        void awaitStart(Level level, String prefix) throws InterruptedException {
            await(level, prefix, true);
        }

        private void await(Level level, String message, boolean prefixOnly) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                ILoggingEvent event = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertNotNull(event, "no " + level + " line '" + message + "' within " + WAIT + "; saw " + seen);
                String line = event.getFormattedMessage();
                if (event.getLevel().equals(level) && (prefixOnly ? line.startsWith(message) : line.equals(message))) {
                    return;
                }
                seen.add(event.getLevel() + " " + event.getFormattedMessage());
            }
        }
    }
}
