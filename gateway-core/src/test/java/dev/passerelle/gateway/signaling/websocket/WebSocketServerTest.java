package dev.passerelle.gateway.signaling.websocket;

import static dev.passerelle.gateway.signaling.websocket.TestClient.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.signaling.ClientConnection;
import dev.passerelle.gateway.signaling.ConnectionListener;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebSocketServerTest {

    private static final int MAX_BYTES = 1024;
    private static final int QUEUE_LIMIT = 8;

    private final EchoListener listener = new EchoListener();
    private WebSocketServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void echoesWithTheNegotiatedSubprotocol() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(30));
        TestClient client = TestClient.connect(wsUri(), true, "other", WebSocketServer.SUBPROTOCOL);
        assertEquals(WebSocketServer.SUBPROTOCOL, client.socket().getSubprotocol());
        client.send("hello");
        assertEquals("hello", client.next());
        client.send("é".repeat(MAX_BYTES / 2 - 1));
        assertEquals("é".repeat(MAX_BYTES / 2 - 1), client.next(), "a message at the limit passes");
        assertTrue(listener.opened.poll(WAIT_SECONDS, TimeUnit.SECONDS).id().startsWith("ws-"));
    }

    @Test
    void connectionIdsAreUnique() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(30));
        TestClient.connect(wsUri(), true, WebSocketServer.SUBPROTOCOL);
        TestClient.connect(wsUri(), true, WebSocketServer.SUBPROTOCOL);
        String a = listener.opened.poll(WAIT_SECONDS, TimeUnit.SECONDS).id();
        String b = listener.opened.poll(WAIT_SECONDS, TimeUnit.SECONDS).id();
        assertNotEquals(a, b);
    }

    @Test
    void oversizeMessageClosesWith1009() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(30));
        TestClient client = TestClient.connect(wsUri(), true, WebSocketServer.SUBPROTOCOL);
        client.send("x".repeat(MAX_BYTES + 1));
        assertEquals(1009, client.awaitClose());
        assertEquals(1009, listener.closed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void binaryMessageClosesWith1003() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(30));
        TestClient client = TestClient.connect(wsUri(), true, WebSocketServer.SUBPROTOCOL);
        client.socket().sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(1003, client.awaitClose());
        assertEquals(1003, listener.closed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void upgradeWithoutTheSubprotocolIsRefusedWith400() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(30));
        assertEquals(400, refusedStatus());
        assertEquals(400, refusedStatus("chat"));
        assertTrue(listener.opened.isEmpty());
    }

    @Test
    void plainHttpAtTheWebSocketPathOrAnUnknownPathIs404() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(30));
        HttpClient http = HttpClient.newHttpClient();
        for (String path : new String[] {"/ws", "/nope"}) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode(), path);
        }
    }

    @Test
    void clientThatStopsReadingIsClosedWith1008() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(30));
        TestClient client = TestClient.connect(wsUri(), false, WebSocketServer.SUBPROTOCOL);
        client.send("flood");
        int refusedAt = listener.floodResult.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(refusedAt > QUEUE_LIMIT, "the queue took at least its limit before refusing: " + refusedAt);
        client.readAll();
        assertEquals(1008, client.awaitClose());
        assertEquals(1008, listener.closed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void serverPingsEachConnection() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofMillis(100));
        TestClient client = TestClient.connect(wsUri(), true, WebSocketServer.SUBPROTOCOL);
        assertNotNull(client.pings.poll(WAIT_SECONDS, TimeUnit.SECONDS), "no ping");
        assertNotNull(client.pings.poll(WAIT_SECONDS, TimeUnit.SECONDS), "no second ping");
        client.send("still here");
        assertEquals("still here", client.next(), "pongs keep the connection open");
    }

    @Test
    void pongsCountAsActivity() throws Exception {
        start(Duration.ofMillis(400), Duration.ofMillis(100));
        TestClient client = TestClient.connect(wsUri(), true, WebSocketServer.SUBPROTOCOL);
        // The JDK client answers each ping with a pong and sends nothing else.
        assertThrows(TimeoutException.class, () -> client.closeCode.get(1200, TimeUnit.MILLISECONDS),
                "open three idle timeouts long");
        client.send("still here");
        assertEquals("still here", client.next());
    }

    @Test
    void peerThatNeverAnswersIsClosedWith1001() throws Exception {
        start(Duration.ofMillis(500), Duration.ofMillis(100));
        try (Socket raw = new Socket("127.0.0.1", server.port())) {
            raw.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            raw.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " + WebSocketServer.SUBPROTOCOL
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(raw.getInputStream());
            assertTrue(readHeaders(in).startsWith("HTTP/1.1 101"));
            int pings = 0;
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0F;
                byte[] payload = new byte[in.readUnsignedByte() & 0x7F]; // control frames are short and unmasked
                in.readFully(payload);
                if (opcode == 0x9) {
                    pings++;
                } else if (opcode == 0x8) {
                    assertTrue(pings > 0, "pinged before being closed");
                    assertEquals(1001, ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF));
                    break;
                }
            }
        }
        assertEquals(1001, listener.closed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void silentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        start(Duration.ofMillis(300), Duration.ofHours(1));
        TestClient client = TestClient.connect(wsUri(), true, WebSocketServer.SUBPROTOCOL);
        assertEquals(1001, client.awaitClose());
        assertEquals(1001, listener.closed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void stopClosesConnectionsWith1001() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(30));
        TestClient client = TestClient.connect(wsUri(), true, WebSocketServer.SUBPROTOCOL);
        listener.opened.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        server.stop();
        server = null;
        assertEquals(1001, client.awaitClose());
    }

    // ------------------------------------------------------------------ helpers

    private void start(Duration idleTimeout, Duration pingInterval) throws Exception {
        server = new WebSocketServer(new GatewayConfig.WebSocketConfig(
                "127.0.0.1", 0, "/ws", MAX_BYTES, 32, QUEUE_LIMIT, idleTimeout, pingInterval), listener,
                HealthPageTest::up, h -> "{}");
        server.start();
        assertTrue(server.port() > 0);
    }

    private static String readHeaders(DataInputStream in) throws IOException {
        StringBuilder headers = new StringBuilder();
        while (!headers.toString().endsWith("\r\n\r\n")) {
            headers.append((char) in.readUnsignedByte());
        }
        return headers.toString();
    }

    private URI wsUri() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws");
    }

    private int refusedStatus(String... subprotocols) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> TestClient.connect(wsUri(), true, subprotocols));
        WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        return refused.getResponse().statusCode();
    }

    /**
     * Echoes every message, except "flood", on which it sends frames until the connection refuses
     * one, and reports how many it took.
     */
    private static final class EchoListener implements ConnectionListener {
        final BlockingQueue<ClientConnection> opened = new LinkedBlockingQueue<>();
        final BlockingQueue<Integer> closed = new LinkedBlockingQueue<>();
        final BlockingQueue<Integer> floodResult = new LinkedBlockingQueue<>();

        @Override
        public void opened(ClientConnection connection) {
            opened.add(connection);
        }

        @Override
        public void text(ClientConnection connection, String text) {
            if (!text.equals("flood")) {
                connection.send(text);
                return;
            }
            String frame = "f".repeat(16 * 1024);
            int sent = 0;
            while (sent < 1_000_000 && connection.send(frame)) {
                sent++;
            }
            floodResult.add(sent);
            assertFalse(connection.send(frame), "a closing connection refuses frames");
        }

        @Override
        public void closed(ClientConnection connection, int statusCode, String reason) {
            closed.add(statusCode);
        }
    }
}
