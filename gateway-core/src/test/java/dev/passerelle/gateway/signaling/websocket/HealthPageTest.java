package dev.passerelle.gateway.signaling.websocket;

import static dev.passerelle.gateway.signaling.websocket.TestClient.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.signaling.ClientConnection;
import dev.passerelle.gateway.signaling.ConnectionListener;
import dev.passerelle.gateway.signaling.Health;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /health} on a real server at port 0. */
class HealthPageTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();
    private final AtomicReference<Health> health = new AtomicReference<>(up());
    private WebSocketServer server;

    /** A node that serves, with its memory store. */
    static Health up() {
        return new Health("up", "node-a", new Health.Part("memory", "up", "in memory (this node only)"), List.of());
    }

    @BeforeEach
    void start() throws Exception {
        ConnectionListener none = new ConnectionListener() {
            @Override
            public void opened(ClientConnection connection) {}

            @Override
            public void text(ClientConnection connection, String text) {}

            @Override
            public void closed(ClientConnection connection, int statusCode, String reason) {}
        };
        server = new WebSocketServer(new GatewayConfig.WebSocketConfig("127.0.0.1", 0, "/ws", 65536, 32, 64,
                Duration.ofSeconds(30), Duration.ofSeconds(30)), none, health::get, new ProtocolCodec(32, 65536)::health);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void aServingNodeIs200WithItsStore() throws Exception {
        HttpResponse<String> r = get("GET");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        assertEquals("no-store", r.headers().firstValue("cache-control").orElse(""));
        assertEquals("{\"status\":\"up\",\"node\":\"node-a\",\"store\":{\"type\":\"memory\",\"status\":\"up\","
                + "\"detail\":\"in memory (this node only)\"},\"outboundProxy\":[]}", r.body());
    }

    @Test
    void theOutboundProxyAddressesAreListedWithTheirState() throws Exception {
        health.set(new Health("up", "node-a", up().store(), List.of(
                new Health.ProxyAddress("10.0.0.5", 5060, "udp", "down"),
                new Health.ProxyAddress("10.0.0.6", 5060, "udp", "current"))));
        HttpResponse<String> r = get("GET");
        assertEquals(200, r.statusCode(), "a proxy address down does not stop the node serving");
        assertTrue(r.body().endsWith(",\"outboundProxy\":[{\"address\":\"10.0.0.5\",\"port\":5060,\"transport\":\"udp\","
                + "\"state\":\"down\"},{\"address\":\"10.0.0.6\",\"port\":5060,\"transport\":\"udp\",\"state\":\"current\"}]}"),
                r.body());
    }

    @Test
    void aNodeWhoseStoreIsDownIs503AndSaysWhy() throws Exception {
        health.set(new Health("degraded", "node-a", new Health.Part("redis", "down", "redis://127.0.0.1:1: timed out"), List.of()));
        HttpResponse<String> r = get("GET");
        assertEquals(503, r.statusCode());
        assertTrue(r.body().contains("\"status\":\"degraded\"") && r.body().contains("timed out"), r.body());
    }

    @Test
    void headHasTheStatusWithoutABody() throws Exception {
        health.set(new Health("draining", "node-a", up().store(), List.of()));
        HttpResponse<String> r = get("HEAD");
        assertEquals(503, r.statusCode());
        assertEquals("", r.body());
    }

    @Test
    void otherMethodsAreNotHealthChecks() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri()).POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
    }

    private HttpResponse<String> get(String method) throws Exception {
        return http.send(HttpRequest.newBuilder(uri()).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(WAIT_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + server.port() + "/health");
    }
}
