package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The example provider, {@code provider-webhook.yaml} as shipped, in a running gateway: a partner
 * HTTP server made here plays the partner API (it takes {@code POST /calls} and {@code DELETE
 * /calls/<id>}, and posts its events to the gateway's webhook with the shared token), a browser
 * calls through it; the route file is then replaced, broken and removed while the gateway runs.
 */
class ProviderWebhookIT {

    private static final Duration QUIET = Duration.ofMillis(300);
    private static final String TOKEN = "s3cret-token";

    @TempDir
    Path connectorsDir;

    private final Lines log = new Lines();
    private final Logger routeFilesLogger = (Logger) LoggerFactory.getLogger("dev.passerelle.gateway.routes.RouteFiles");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    private Partner partner;
    private GatewayHarness gateway;

    @BeforeEach
    void setUp() throws IOException {
        log.start();
        routeFilesLogger.addAppender(log);
        partner = new Partner();
    }

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        partner.close();
        routeFilesLogger.detachAppender(log);
        log.stop();
    }

    /** The route file as the provider-webhook module ships it. */
    private static String shippedRouteFile() throws IOException {
        try (InputStream in = ProviderWebhookIT.class.getClassLoader().getResourceAsStream("provider-webhook.yaml")) {
            assertNotNull(in, "provider-webhook.yaml is not on the class path: the provider-webhook module's jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Version 2 of the same provider, as an integrator would change it: its commands carry a header
     * telling the partner the version, and its events come to another path.
     */
    private static String versionTwo(String shipped) {
        String removeHeaders = "        - removeHeaders:\n            pattern: \"*\"\n";
        assertTrue(shipped.contains(removeHeaders) && shipped.contains("uri: passerelle:webhook:webhook/events\n"),
                "the shipped file changed shape; adapt this test");
        return shipped.replace(removeHeaders, removeHeaders
                        + "        - setHeader:\n            name: X-Provider-Version\n            constant: v2\n")
                .replace("uri: passerelle:webhook:webhook/events\n", "uri: passerelle:webhook:webhook/events-v2\n");
    }

    private void startGateway() throws IOException, InterruptedException {
        Files.writeString(connectorsDir.resolve("provider-webhook.yaml"), shippedRouteFile());
        gateway = GatewayHarness.watching(connectorsDir, QUIET, """
                providers:
                  webhook:
                    destinations: "*@partner.example"
                    baseUrl: "%s"
                    token: "%s"
                """.formatted(partner.baseUrl(), TOKEN));
        log.await(Level.INFO, "route file provider-webhook.yaml loaded as version 1");
    }

    /** The partner posts an event about a call to the gateway's webhook. */
    private HttpResponse<String> postEvent(String path, String token, ObjectNode event)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.gateway().webSocketPort() + "/connectors/" + path))
                .timeout(WAIT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event.toString()));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode event(String callId, String event) {
        return params().put("callId", callId).put("event", event);
    }

    private String invite(WsClient caller, String to) {
        return caller.callOk("call.invite", params().put("to", to).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT)
                .path("callId").asText();
    }

    @Test
    void aCallToAPartnerDestinationGoesThroughThePartnerApi() throws Exception {
        startGateway();
        WsClient alice = gateway.login("alice-token");
        String callId = invite(alice, "bob@partner.example");

        Partner.Request placed = partner.await();
        assertEquals("POST /calls", placed.line());
        assertEquals("Bearer " + TOKEN, placed.authorization());
        JsonNode body = WsClient.json().readTree(placed.body());
        assertEquals(callId, body.path("callId").asText());
        assertEquals("bob@partner.example", body.path("to").asText());
        assertEquals("alice", body.path("from").path("user").asText());
        assertTrue(body.path("sdp").asText().startsWith("v=0"), placed.body());

        // A wrong token is 401 and changes nothing: the ringing that follows is the first event.
        HttpResponse<String> forged = postEvent("webhook/events", "wrong", event(callId, "answered")
                .put("sdp", Sdp.answer(body.path("sdp").asText(), 40_000, Sdp.newUfrag())));
        assertEquals(401, forged.statusCode());
        assertEquals(401, postEvent("webhook/events", null, event(callId, "ended")).statusCode());

        assertEquals(204, postEvent("webhook/events", TOKEN, event(callId, "ringing")).statusCode());
        JsonNode progress = alice.awaitCallEvent("call.progress", callId, WAIT);
        assertEquals(180, progress.path("code").asInt());
        List<String> before = alice.events().stream().map(e -> e.path("method").asText()).toList();
        assertTrue(before.stream().noneMatch(m -> m.equals("call.accepted") || m.equals("call.ended")),
                "the forged events changed the call: " + before);

        String answer = Sdp.answer(body.path("sdp").asText(), 40_000, Sdp.newUfrag());
        assertEquals(204, postEvent("webhook/events", TOKEN, event(callId, "answered").put("sdp", answer)).statusCode());
        JsonNode accepted = alice.awaitCallEvent("call.accepted", callId, WAIT);
        assertTrue(accepted.path("sdp").asText().startsWith("v=0"), accepted.toString());

        // An event the gateway cannot use is 400 and leaves the call as it was.
        HttpResponse<String> bad = postEvent("webhook/events", TOKEN, event(callId, "answered"));
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("'accepted' needs 'sdp'"), bad.body());

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        assertEquals("local", alice.awaitCallEvent("call.ended", callId, WAIT).path("by").asText());
        Partner.Request hungUp = partner.await();
        assertEquals("DELETE /calls/" + callId, hungUp.line());
        assertEquals("Bearer " + TOKEN, hungUp.authorization());
    }

    @Test
    void thePartnerEndsTheCallAndOtherDestinationsStillGoToSip() throws Exception {
        startGateway();
        WsClient alice = gateway.login("alice-token");
        String callId = invite(alice, "carol@partner.example");
        partner.await();
        String answer = Sdp.answer(Sdp.browserOffer(Sdp.newUfrag()), 40_000, Sdp.newUfrag());
        postEvent("webhook/events", TOKEN, event(callId, "answered").put("sdp", answer));
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        assertEquals(204, postEvent("webhook/events", TOKEN, event(callId, "ended")).statusCode());
        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals("remote", ended.path("by").asText());
        assertEquals(200, ended.path("code").asInt());

        // Refused by the partner before the answer: the code reaches the browser.
        String refusedId = invite(alice, "dave@partner.example");
        partner.await();
        postEvent("webhook/events", TOKEN, event(refusedId, "failed").put("code", 486).put("reason", "busy"));
        JsonNode refused = alice.awaitCallEvent("call.ended", refusedId, WAIT);
        assertEquals(486, refused.path("code").asInt());
        assertEquals("remote", refused.path("by").asText());

        try (SipPhone phone = SipPhone.start()) {
            String sipCall = invite(alice, phone.uri());
            PhoneEvent.Request request = phone.awaitCall(WAIT);
            assertTrue(request.raw().startsWith("INVITE "), request.raw());
            alice.callOk("call.hangup", params().put("callId", sipCall), WAIT);
        }
        assertNull(partner.poll(), "only the partner destinations reached the partner");
    }

    @Test
    void thePartnerRefusingTheInviteEndsTheCallWith503() throws Exception {
        startGateway();
        partner.failNextInvite();
        WsClient alice = gateway.login("alice-token");
        String callId = invite(alice, "erin@partner.example");
        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals(503, ended.path("code").asInt());
        assertTrue(ended.path("reason").asText().startsWith("provider webhook: "), ended.toString());
    }

    @Test
    void theRouteFileIsReplacedRefusedAndRemovedWhileACallGoesOn() throws Exception {
        startGateway();
        Path file = connectorsDir.resolve("provider-webhook.yaml");
        WsClient alice = gateway.login("alice-token");
        String first = invite(alice, "bob@partner.example");
        assertNull(partner.await().version(), "version 1 sends no version header");

        Files.writeString(file, versionTwo(shippedRouteFile()));
        log.await(Level.INFO, "route file provider-webhook.yaml replaced: version 2");
        String second = invite(alice, "carol@partner.example");
        assertEquals("v2", partner.await().version(), "a new call uses version 2");

        // Each version hears its own call's events at its own path.
        assertEquals(204, postEvent("webhook/events", TOKEN, event(first, "ringing")).statusCode());
        alice.awaitCallEvent("call.progress", first, WAIT);
        assertEquals(204, postEvent("webhook/events-v2", TOKEN, event(second, "ringing")).statusCode());
        alice.awaitCallEvent("call.progress", second, WAIT);

        // The first call still ends through version 1, which then goes.
        alice.callOk("call.hangup", params().put("callId", first), WAIT);
        Partner.Request hangup = partner.await();
        assertEquals("DELETE /calls/" + first, hangup.line());
        assertNull(hangup.version(), "the call ended through the version it started with");
        log.await(Level.INFO, "route file provider-webhook.yaml version 1 unloaded");
        assertEquals(404, postEvent("webhook/events", TOKEN, event(second, "ringing")).statusCode());

        Files.writeString(file, "- route:\n    from: [broken\n");
        log.await(Level.WARN, "route file provider-webhook.yaml refused");
        assertTrue(log.last().endsWith("version 2 stays in use"), log.last());
        String third = invite(alice, "dave@partner.example");
        assertEquals("v2", partner.await().version(), "the refused file left version 2 in use");
        alice.callOk("call.hangup", params().put("callId", third), WAIT);
        partner.await();

        Files.delete(file);
        log.await(Level.INFO, "route file provider-webhook.yaml removed");
        RpcReply unclaimed = alice.call("call.invite", params().put("to", "erin@partner.example")
                .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT);
        assertEquals(404, unclaimed.errorCode(), "nobody claims the destination any more: " + unclaimed.message());

        // The second call is still up on version 2, which stays until it ends.
        assertEquals(204, postEvent("webhook/events-v2", TOKEN, event(second, "ended")).statusCode());
        assertEquals("remote", alice.awaitCallEvent("call.ended", second, WAIT).path("by").asText());
        log.await(Level.INFO, "route file provider-webhook.yaml version 2 unloaded");
    }

    /** The partner's API on loopback: records each request, answers 201 to POST and 204 to DELETE. */
    private static final class Partner implements AutoCloseable {
        record Request(String line, String authorization, String version, String body) {}

        private final HttpServer server;
        private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        private volatile boolean failNextInvite;

        Partner() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/calls", this::handle);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void failNextInvite() {
            failNextInvite = true;
        }

        private void handle(HttpExchange exchange) throws IOException {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String method = exchange.getRequestMethod();
            requests.add(new Request(method + " " + exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("X-Provider-Version"), body));
            int status = method.equals("POST") ? (failNextInvite ? 500 : 201) : 204;
            failNextInvite = false;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        }

        Request await() throws InterruptedException {
            Request request = requests.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(request, "the partner got no request within " + WAIT);
            return request;
        }

        Request poll() {
            return requests.poll();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** The route files' log lines, as the gateway logs them while it runs. */
    private static final class Lines extends AppenderBase<ILoggingEvent> {
        private final BlockingQueue<ILoggingEvent> lines = new LinkedBlockingQueue<>();
        private volatile String last = "";

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event);
        }

        /** Waits, at most {@link GatewayHarness#WAIT}, for a line starting so, consuming the ones before it. */
        void await(Level level, String start) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                ILoggingEvent event = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertNotNull(event, "no " + level + " line '" + start + "...' within " + WAIT + "; saw " + seen);
                if (event.getLevel().equals(level) && event.getFormattedMessage().startsWith(start)) {
                    last = event.getFormattedMessage();
                    return;
                }
                seen.add(event.getLevel() + " " + event.getFormattedMessage());
            }
        }

        String last() {
            return last;
        }
    }
}
