package dev.passerelle.gateway.signaling.websocket;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JDK WebSocket client for tests: collects whole text messages, pings and the close code.
 * With {@code reading} false it requests nothing, so the server sees a client that stops reading.
 */
final class TestClient implements WebSocket.Listener {

    static final long WAIT_SECONDS = 10;

    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final BlockingQueue<ByteBuffer> pings = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final boolean reading;
    private final StringBuilder partial = new StringBuilder();
    private WebSocket webSocket;

    private TestClient(boolean reading) {
        this.reading = reading;
    }

    static TestClient connect(URI uri, boolean reading, String... subprotocols) throws Exception {
        TestClient client = new TestClient(reading);
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        client.webSocket = builder.buildAsync(uri, client).get(WAIT_SECONDS, TimeUnit.SECONDS);
        return client;
    }

    WebSocket socket() {
        return webSocket;
    }

    void send(String text) throws Exception {
        webSocket.sendText(text, true).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    String next() throws InterruptedException {
        String text = texts.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(text, "no message from the server");
        return text;
    }

    int awaitClose() throws Exception {
        return closeCode.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Starts reading everything, for a client created with {@code reading} false. */
    void readAll() {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public void onOpen(WebSocket ws) {
        if (reading) {
            ws.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            texts.add(partial.toString());
            partial.setLength(0);
        }
        more(ws);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
        pings.add(message);
        more(ws);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    private void more(WebSocket ws) {
        if (reading) {
            ws.request(1);
        }
    }
}
