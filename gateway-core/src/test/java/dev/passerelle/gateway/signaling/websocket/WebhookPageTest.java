package dev.passerelle.gateway.signaling.websocket;

import static dev.passerelle.gateway.signaling.websocket.TestClient.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.signaling.ClientConnection;
import dev.passerelle.gateway.signaling.ConnectionListener;
import dev.passerelle.gateway.signaling.Health;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import dev.passerelle.gateway.signaling.Webhooks;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /connectors/<path>} on a real server at port 0, served by one echoing endpoint. */
class WebhookPageTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();
    /** What the endpoint was last given: path, headers, body. */
    private final AtomicReference<Object[]> received = new AtomicReference<>();
    private WebSocketServer server;

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
        Webhooks echo = (path, headers, body) -> {
            received.set(new Object[] {path, headers, body});
            if (!path.equals("partner/events")) {
                return Optional.empty();
            }
            if (headers.containsKey("X-Fail")) {
                throw new IllegalStateException("the endpoint broke");
            }
            return Optional.of(new Webhooks.Reply(202, "application/json", body));
        };
        server = new WebSocketServer(new GatewayConfig.WebSocketConfig("127.0.0.1", 0, "/ws", 65536, 32, 64,
                Duration.ofSeconds(30), Duration.ofSeconds(30)), none,
                () -> new Health("up", "n", new Health.Part("memory", "up", ""), List.of()), new ProtocolCodec(32, 65536)::health,
                echo);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private HttpResponse<String> send(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(WAIT_SECONDS))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePostReachesTheEndpointWithItsHeadersAndItsReplyComesBack() throws Exception {
        byte[] body = "{\"callId\":\"c1\",\"event\":\"ringing\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = send("POST", "/connectors/partner/events", body, "Authorization", "Bearer t");
        assertEquals(202, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        assertEquals(new String(body, StandardCharsets.UTF_8), r.body());
        assertEquals("partner/events", received.get()[0]);
        @SuppressWarnings("unchecked")
        Map<String, String> headers = (Map<String, String>) received.get()[1];
        assertEquals("Bearer t", headers.get("Authorization"));
        assertArrayEquals(body, (byte[]) received.get()[2]);
    }

    @Test
    void aBodyOfExactlyTheLimitIsTakenOneByteMoreIs413() throws Exception {
        byte[] limit = new byte[Webhooks.MAX_BODY_BYTES];
        Arrays.fill(limit, (byte) 'a');
        assertEquals(202, send("POST", "/connectors/partner/events", limit).statusCode());
        received.set(null);
        // The declared length alone gets the 413, before a byte of the body is read; the test sends
        // none, so the answer cannot race the upload.
        String head;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            socket.getOutputStream().write(("POST /connectors/partner/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: " + (Webhooks.MAX_BODY_BYTES + 1) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            head = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
        assertEquals("HTTP/1.1 413 Payload Too Large", head);
        assertNull(received.get(), "a body over the limit never reaches the endpoint");
    }

    @Test
    void aChunkedBodyOverTheLimitIs413Too() throws Exception {
        byte[] over = new byte[Webhooks.MAX_BODY_BYTES + 10];
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/connectors/partner/events"))
                .timeout(Duration.ofSeconds(WAIT_SECONDS))
                // No length announced: the limit is enforced while reading.
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(over)))
                .build();
        assertEquals(413, http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertNull(received.get());
    }

    @Test
    void anUnknownPathIs404AnotherMethod405AFailingEndpoint500() throws Exception {
        assertEquals(404, send("POST", "/connectors/nobody", new byte[] {'x'}).statusCode());
        HttpResponse<String> get = send("GET", "/connectors/partner/events", null);
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("allow").orElse(""));
        HttpResponse<String> failing = send("POST", "/connectors/partner/events", new byte[] {'x'}, "X-Fail", "1");
        assertEquals(500, failing.statusCode());
        assertTrue(failing.body().contains("the endpoint broke"), failing.body());
    }

    @Test
    void otherPathsStillReachTheOtherPages() throws Exception {
        assertEquals(200, send("GET", "/health", null).statusCode());
    }
}
