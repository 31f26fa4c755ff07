package dev.passerelle.gateway.signaling.websocket;

import static dev.passerelle.gateway.signaling.websocket.TestClient.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.signaling.ClientConnection;
import dev.passerelle.gateway.signaling.ConnectionListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo page and SDK served by a real {@link WebSocketServer} on a free port. */
class StaticPagesTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();
    private WebSocketServer server;

    @BeforeEach
    void start() throws Exception {
        server = new WebSocketServer(new GatewayConfig.WebSocketConfig("127.0.0.1", 0, "/ws", 65536, 32, 64,
                Duration.ofSeconds(30), Duration.ofSeconds(30)), new Echo(), HealthPageTest::up,
                h -> "{}");
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void rootIsTheDemoPage() throws Exception {
        HttpResponse<byte[]> root = get("/");
        assertEquals(200, root.statusCode());
        assertEquals("text/html;charset=utf-8", contentType(root));
        assertEquals("no-cache", root.headers().firstValue("Cache-Control").orElse(""));
        assertArrayEquals(classPath("web/index.html"), root.body());
        assertArrayEquals(root.body(), get("/index.html").body());
    }

    @Test
    void sdkAndPageAssetsHaveTheirContentTypes() throws Exception {
        assertServed("/passerelle.js", "text/javascript;charset=utf-8");
        assertServed("/passerelle.d.ts", "application/typescript;charset=utf-8");
        assertServed("/app.js", "text/javascript;charset=utf-8");
        assertServed("/style.css", "text/css;charset=utf-8");
    }

    @Test
    void headHasTheHeadersWithoutTheBody() throws Exception {
        HttpResponse<byte[]> head = http.send(request("/passerelle.js").method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(classPath("web/passerelle.js").length),
                head.headers().firstValue("Content-Length").orElse(""));
        assertEquals(0, head.body().length);
    }

    @Test
    void unknownFilesOtherMethodsAndFoldersAre404() throws Exception {
        assertEquals(404, get("/nope.js").statusCode());
        assertEquals(404, get("/ws").statusCode(), "a plain GET of the WebSocket path");
        assertEquals(404, http.send(request("/index.html").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        // No listing of the class path outside web/, nor of web/ itself.
        assertEquals(404, get("/dev/").statusCode());
        assertEquals(404, get("/logback.xml").statusCode());
    }

    @Test
    void pathsOutsideTheWebFolderAreRefused() throws Exception {
        // logback.xml sits one folder above web/ on the class path: the prize of a traversal.
        assertNotNull(getClass().getClassLoader().getResource("logback.xml"));
        for (String path : new String[] {"/../logback.xml", "/%2e%2e/logback.xml", "/..%2flogback.xml",
                "/%2e%2e%2flogback.xml", "/web/../logback.xml", "/./../logback.xml", "/..\\logback.xml"}) {
            String response = raw(path);
            int status = Integer.parseInt(response.substring(9, 12));
            // Jetty answers 400 to a path that climbs above the root or hides dots in escapes,
            // and 404 to one that normalises inside it: both refuse, neither serves the file.
            assertTrue(Set.of(400, 404).contains(status), path + " → " + response.lines().findFirst().orElse(""));
            assertFalse(response.contains("<configuration>"), path + " served logback.xml");
        }
    }

    @Test
    void theWebSocketPathStillUpgrades() throws Exception {
        TestClient client = TestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), true,
                WebSocketServer.SUBPROTOCOL);
        assertEquals(WebSocketServer.SUBPROTOCOL, client.socket().getSubprotocol());
        client.send("ping me");
        assertEquals("ping me", client.next());
    }

    private void assertServed(String path, String contentType) throws Exception {
        HttpResponse<byte[]> response = get(path);
        assertEquals(200, response.statusCode(), path);
        assertEquals(contentType, contentType(response), path);
        assertEquals("no-cache", response.headers().firstValue("Cache-Control").orElse(""), path);
        assertArrayEquals(classPath("web" + path), response.body(), path);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(WAIT_SECONDS));
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase();
    }

    /** The request line sent byte for byte, since HTTP clients normalise dot segments away. */
    private String raw(String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(WAIT_SECONDS).toMillis());
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(response);
            return response.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private byte[] classPath(String name) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    private static final class Echo implements ConnectionListener {
        @Override
        public void opened(ClientConnection connection) {}

        @Override
        public void text(ClientConnection connection, String text) {
            connection.send(text);
        }

        @Override
        public void closed(ClientConnection connection, int statusCode, String reason) {}
    }
}
