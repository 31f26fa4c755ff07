package dev.passerelle.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.ProviderCall;
import dev.passerelle.connector.spi.ProviderInvite;
import dev.passerelle.connector.spi.ProviderListener;
import dev.passerelle.gateway.connector.Providers;
import dev.passerelle.gateway.signaling.Webhooks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Route files in a real Camel context with the {@code passerelle} component: loaded, refused,
 * replaced while a call holds the old version, removed. Work runs on the calling thread, so that
 * what a step sets off is done when it returns.
 */
class RouteFilesTest {

    /** A provider whose commands land in the test's queue, tagged with the file's version. */
    private static final String PROVIDER = """
            - route:
                id: commands
                from:
                  uri: passerelle:provider:partner
                  parameters:
                    destinations: "{{providers.partner.destinations}}"
                  steps:
                    - setHeader:
                        name: version
                        constant: %s
                    - to: direct:commands
            - route:
                id: events
                from:
                  uri: passerelle:webhook:%s
                  steps:
                    - to: passerelle:call-event
                    - setHeader:
                        name: CamelHttpResponseCode
                        constant: 204
            """;

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private final BlockingQueue<String[]> commands = new LinkedBlockingQueue<>();
    private final Lines log = new Lines();
    private CamelContext camel;
    private RouteFiles files;
    private PasserelleComponent passerelle;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        Properties settings = new Properties();
        settings.setProperty("providers.partner.destinations", "*@partner.example, +4420*");
        camel.getPropertiesComponent().setInitialProperties(settings);
        files = new RouteFiles(camel, dir, Runnable::run);
        passerelle = new PasserelleComponent(files::versionOf, Runnable::run);
        camel.addComponent("passerelle", passerelle);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:commands").process(e -> commands.add(new String[] {
                        e.getMessage().getHeader(PasserelleComponent.COMMAND, String.class),
                        e.getMessage().getHeader("version", String.class),
                        e.getMessage().getBody(String.class)}));
            }
        });
        camel.start();
        ((Logger) LoggerFactory.getLogger(RouteFiles.class)).addAppender(log);
        log.start();
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(RouteFiles.class)).detachAppender(log);
        camel.close();
    }

    private void write(String name, String version, String webhookPath) throws Exception {
        Files.writeString(dir.resolve(name), PROVIDER.formatted(version, webhookPath));
    }

    private static ProviderInvite invite(String callId, String to) {
        return new ProviderInvite(callId, new Identity("alice", "sip:alice@localhost", "Alice", null), to,
                "v=0\r\n", Map.of("X-Tag", "1"));
    }

    private String[] nextCommand() throws InterruptedException {
        String[] command = commands.poll(5, TimeUnit.SECONDS);
        assertTrue(command != null, "no command reached the route");
        return command;
    }

    private List<String> routesOf(String file) {
        return camel.getRoutes().stream().map(r -> r.getRouteId()).filter(id -> id.startsWith(file + "#")).sorted().toList();
    }

    private Optional<Webhooks.Reply> post(String path, String body) {
        return passerelle.post(path, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLoadedFileClaimsItsDestinationsAndItsCommandsAndEventsFlow() throws Exception {
        write("partner.yaml", "v1", "partner/events");
        assertFalse(files.rescan());
        assertEquals(List.of("partner.yaml#1/commands", "partner.yaml#1/events"), routesOf("partner.yaml"));
        assertTrue(log.contains("route file partner.yaml loaded as version 1"), log.lines.toString());

        assertTrue(passerelle.claim("bob@other.example").isEmpty());
        assertTrue(passerelle.claim("tel:+4420").isEmpty(), "a glob matches the whole destination");
        Providers.Claim claim = passerelle.claim("BOB@Partner.Example").orElseThrow();
        assertEquals("partner", claim.name());
        RecordingListener listener = new RecordingListener();
        ProviderCall call = claim.connector().invite(invite("c1", "BOB@Partner.Example"), listener);

        String[] sent = nextCommand();
        assertEquals("invite", sent[0]);
        assertEquals("v1", sent[1]);
        JsonNode body = json.readTree(sent[2]);
        assertEquals("c1", body.get("callId").asText());
        assertEquals("alice", body.at("/from/user").asText());
        assertEquals("sip:alice@localhost", body.at("/from/sipUri").asText());
        assertEquals("BOB@Partner.Example", body.get("to").asText());
        assertEquals("v=0\r\n", body.get("sdp").asText());
        assertEquals("1", body.at("/headers/X-Tag").asText());

        assertEquals(204, post("partner/events", "{\"callId\":\"c1\",\"event\":\"progress\"}").orElseThrow().status());
        assertEquals(List.of("progress 180 Ringing null"), listener.heard);
        post("partner/events", "{\"callId\":\"c1\",\"event\":\"accepted\",\"sdp\":\"v=0\\r\\n\"}");
        assertEquals("accepted v=0\r\n", listener.heard.get(1));

        call.hangup();
        claim.close();
        assertEquals("hangup", nextCommand()[0]);
        // Over for the gateway: a late event from the partner is ignored.
        assertEquals(204, post("partner/events", "{\"callId\":\"c1\",\"event\":\"ended\"}").orElseThrow().status());
        assertEquals(2, listener.heard.size());
    }

    @Test
    void aBadEventIs400AndLeavesTheCallAlone() throws Exception {
        write("partner.yaml", "v1", "partner/events");
        files.rescan();
        Providers.Claim claim = passerelle.claim("bob@partner.example").orElseThrow();
        RecordingListener listener = new RecordingListener();
        claim.connector().invite(invite("c1", "bob@partner.example"), listener);
        for (String bad : List.of("not json", "[]", "{\"event\":\"progress\"}", "{\"callId\":\"c1\",\"event\":\"answered\"}",
                "{\"callId\":\"c1\",\"event\":\"accepted\"}", "{\"callId\":\"c1\",\"event\":\"progress\",\"code\":200}",
                "{\"callId\":\"c1\",\"event\":\"ended\",\"code\":250}", "{\"callId\":\"c1\",\"event\":\"ended\",\"code\":\"x\"}")) {
            Webhooks.Reply reply = post("partner/events", bad).orElseThrow();
            assertEquals(400, reply.status(), bad);
            assertTrue(new String(reply.body(), StandardCharsets.UTF_8).startsWith("call-event: "), bad);
        }
        assertEquals(List.of(), listener.heard);
        // An unknown call is not an error of the partner's: ignored.
        assertEquals(204, post("partner/events", "{\"callId\":\"nope\",\"event\":\"ended\"}").orElseThrow().status());
        post("partner/events", "{\"callId\":\"c1\",\"event\":\"ended\",\"code\":486}");
        assertEquals(List.of("ended 486 Busy Here"), listener.heard);
        claim.close();
    }

    @Test
    void aBrokenFileIsRefusedAndTheVersionInUseStays() throws Exception {
        write("partner.yaml", "v1", "partner/events");
        files.rescan();
        Files.writeString(dir.resolve("partner.yaml"), "- route:\n    from: [unclosed\n");
        files.rescan();
        assertTrue(log.contains("route file partner.yaml refused: "), log.lines.toString());
        assertTrue(log.contains("version 1 stays in use"), log.lines.toString());
        // Routes that parse but do not start are refused the same way, and leave nothing behind.
        write("partner.yaml", "v2", "/absolute");
        files.rescan();
        assertTrue(log.contains("a webhook needs a relative path"), log.lines.toString());
        assertEquals(List.of("partner.yaml#1/commands", "partner.yaml#1/events"), routesOf("partner.yaml"));

        Providers.Claim claim = passerelle.claim("bob@partner.example").orElseThrow();
        claim.connector().invite(invite("c1", "bob@partner.example"), new RecordingListener());
        assertEquals("v1", nextCommand()[1]);
        claim.close();

        Files.writeString(dir.resolve("other.yml"), "- route:\n    from:\n      uri: passerelle:provider:x\n      steps: []\n");
        files.rescan();
        assertTrue(log.contains("route file other.yml refused: ") && log.contains("it is not loaded"), log.lines.toString());
        assertEquals(List.of(), routesOf("other.yml"));
    }

    @Test
    void aReplacedVersionKeepsRunningForItsCallsThenGoes() throws Exception {
        write("partner.yaml", "v1", "partner/events");
        files.rescan();
        Providers.Claim first = passerelle.claim("bob@partner.example").orElseThrow();
        ProviderCall firstCall = first.connector().invite(invite("c1", "bob@partner.example"), new RecordingListener());
        assertEquals("v1", nextCommand()[1]);

        write("partner.yaml", "v2", "partner/events-v2");
        files.rescan();
        assertTrue(log.contains("route file partner.yaml replaced: version 2"), log.lines.toString());
        assertEquals(List.of("partner.yaml#1/commands", "partner.yaml#1/events", "partner.yaml#2/commands",
                "partner.yaml#2/events"), routesOf("partner.yaml"));

        Providers.Claim second = passerelle.claim("bob@partner.example").orElseThrow();
        RecordingListener secondListener = new RecordingListener();
        second.connector().invite(invite("c2", "bob@partner.example"), secondListener);
        assertEquals("v2", nextCommand()[1]);
        // The old version's webhook path is still served, by the old version.
        assertEquals(204, post("partner/events", "{\"callId\":\"c2\",\"event\":\"progress\"}").orElseThrow().status());
        assertEquals(204, post("partner/events-v2", "{\"callId\":\"c2\",\"event\":\"progress\",\"code\":183}")
                .orElseThrow().status());
        assertEquals(List.of("progress 180 Ringing null", "progress 183 Session Progress null"), secondListener.heard);

        firstCall.hangup();
        String[] hangup = nextCommand();
        assertEquals("hangup", hangup[0]);
        assertEquals("v1", hangup[1], "the call ends through the version it started with");
        first.close();
        assertEquals(List.of("partner.yaml#2/commands", "partner.yaml#2/events"), routesOf("partner.yaml"));
        assertTrue(log.contains("route file partner.yaml version 1 unloaded"), log.lines.toString());
        assertTrue(post("partner/events", "{}").isEmpty(), "nobody serves the old path any more");
        second.close();
    }

    @Test
    void aRemovedFileClaimsNothingAndGoesOnceIdle() throws Exception {
        write("partner.yaml", "v1", "partner/events");
        files.rescan();
        Providers.Claim claim = passerelle.claim("bob@partner.example").orElseThrow();
        Files.delete(dir.resolve("partner.yaml"));
        files.rescan();
        assertTrue(log.contains("route file partner.yaml removed"), log.lines.toString());
        assertTrue(passerelle.claim("bob@partner.example").isEmpty());
        assertEquals(2, routesOf("partner.yaml").size(), "a claim still holds the version");
        claim.close();
        assertEquals(List.of(), routesOf("partner.yaml"));
        // The same content again is a new version.
        write("partner.yaml", "v1", "partner/events");
        files.rescan();
        assertEquals(List.of("partner.yaml#2/commands", "partner.yaml#2/events"), routesOf("partner.yaml"));
    }

    @Test
    void aFailingInviteEndsTheCallWith503() throws Exception {
        Files.writeString(dir.resolve("failing.yaml"), """
                - route:
                    from:
                      uri: passerelle:provider:failing?destinations=*@down.example
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: partner unreachable
                """);
        files.rescan();
        Providers.Claim claim = passerelle.claim("x@down.example").orElseThrow();
        RecordingListener listener = new RecordingListener();
        claim.connector().invite(invite("c9", "x@down.example"), listener);
        assertEquals(List.of("ended 503 provider failing: partner unreachable"), listener.heard);
        assertNull(passerelle.listener("c9"));
        claim.close();
    }

    /** The provider listener's calls, one line each. */
    private static final class RecordingListener implements ProviderListener {
        final List<String> heard = new CopyOnWriteArrayList<>();

        @Override
        public void progress(int code, String reason, String sdp) {
            heard.add("progress " + code + " " + reason + " " + sdp);
        }

        @Override
        public void accepted(String sdp) {
            heard.add("accepted " + sdp);
        }

        @Override
        public void ended(int code, String reason) {
            heard.add("ended " + code + " " + reason);
        }
    }

    private static final class Lines extends AppenderBase<ILoggingEvent> {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getLevel() + " " + event.getFormattedMessage());
        }

        boolean contains(String text) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }
    }
}
