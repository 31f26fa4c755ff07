package dev.passerelle.peers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A browser's side of the WebSocket protocol: the JDK WebSocket client with subprotocol
 * {@code passerelle.v1}, plain JSON through Jackson. It knows no gateway class on purpose, so
 * tests see the wire format exactly as a browser does.
 */
public final class WsClient implements AutoCloseable {

    public static final String SUBPROTOCOL = "passerelle.v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<RpcReply>> pending = new ConcurrentHashMap<>();
    private final EventLog<JsonNode> events = new EventLog<>();
    private final EventLog<JsonNode> serverRequests = new EventLog<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile String subprotocol;

    private WsClient(WebSocket socket) {
        this.socket = socket;
    }

    /** Opens a connection to {@code uri}, e.g. {@code ws://127.0.0.1:8080/ws}. */
    public static WsClient connect(URI uri, Duration timeout) {
        Listener listener = new Listener();
        try {
            HttpClient.newBuilder().connectTimeout(timeout).build()
                    .newWebSocketBuilder()
                    .subprotocols(SUBPROTOCOL)
                    .connectTimeout(timeout)
                    .buildAsync(uri, listener)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return listener.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to " + uri, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot connect to " + uri, e);
        }
    }

    public static WsClient connect(URI uri) {
        return connect(uri, Duration.ofSeconds(10));
    }

    /**
     * The JDK hands the listener to the builder before the socket exists; the client is made in
     * {@code onOpen}, before the first {@code request(1)} lets any message in.
     */
    private static final class Listener implements WebSocket.Listener {
        final CompletableFuture<WsClient> ready = new CompletableFuture<>();
        volatile WsClient client;

        @Override
        public void onOpen(WebSocket webSocket) {
            client = new WsClient(webSocket);
            client.subprotocol = webSocket.getSubprotocol();
            ready.complete(client);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            client.onText(data, last);
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            client.closed.complete(statusCode);
            client.failPending("socket closed with " + statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            // An abrupt end (reset, process killed) has no close frame: 1006 as browsers report it.
            if (client != null) {
                client.closed.complete(1006);
                client.failPending("socket failed: " + error);
            }
        }
    }

    private void onText(CharSequence data, boolean last) {
        partial.append(data);
        if (!last) {
            return;
        }
        String text = partial.toString();
        partial.setLength(0);
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            events.add(JSON.createObjectNode().put("method", "(unparsable)").put("text", text));
            return;
        }
        boolean isReply = message.has("id") && (message.has("result") || message.has("error")) && !message.has("method");
        if (isReply) {
            CompletableFuture<RpcReply> waiter = message.get("id").canConvertToLong()
                    ? pending.remove(message.get("id").asLong()) : null;
            if (waiter != null) {
                waiter.complete(new RpcReply(message));
            } else {
                // A reply that matches no request (e.g. the id:null answer to a frame that was not
                // JSON) is kept for the tests to find.
                events.add(message);
            }
        } else if (message.has("id")) {
            serverRequests.add(message);
        } else {
            events.add(message);
        }
    }

    private void failPending(String why) {
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException(why)));
        pending.clear();
    }

    /** The subprotocol the server accepted. */
    public String subprotocol() {
        return subprotocol;
    }

    /** Sends a request; the future completes with the reply correlated by id. */
    public CompletableFuture<RpcReply> call(String method, ObjectNode params) {
        long id = ids.incrementAndGet();
        ObjectNode request = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        if (params != null) {
            request.set("params", params);
        }
        CompletableFuture<RpcReply> reply = new CompletableFuture<>();
        pending.put(id, reply);
        sendRaw(request.toString());
        return reply;
    }

    /** Sends a request and waits for its reply. */
    public RpcReply call(String method, ObjectNode params, Duration timeout) {
        try {
            return call(method, params).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + method, e);
        } catch (ExecutionException e) {
            throw new AssertionError("no reply to " + method + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no reply to " + method + " within " + timeout.toMillis() + " ms");
        }
    }

    /** Sends a request and returns its result; fails on an error reply. */
    public JsonNode callOk(String method, ObjectNode params, Duration timeout) {
        return call(method, params, timeout).result();
    }

    /** Sends a notification (no id, no reply). */
    public void notify(String method, ObjectNode params) {
        ObjectNode note = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        note.set("params", params);
        sendRaw(note.toString());
    }

    /** Sends a text frame exactly as given, for malformed or oversized input. */
    public void sendRaw(String text) {
        try {
            // The JDK allows one outstanding send at a time; waiting serialises concurrent callers.
            synchronized (socket) {
                socket.sendText(text, true).get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending", e);
        } catch (ExecutionException | TimeoutException | CompletionException e) {
            throw new IllegalStateException("cannot send on the WebSocket", e);
        }
    }

    /** Logs in with a static token and returns the result. */
    public JsonNode login(String token) {
        return callOk("session.login", params().put("token", token), Duration.ofSeconds(10));
    }

    /** Waits for a notification of {@code method} whose params match, and consumes it. */
    public JsonNode awaitEvent(String method, Predicate<JsonNode> paramsMatch, Duration timeout) {
        return events.await(m -> method.equals(m.path("method").asText()) && paramsMatch.test(m.path("params")),
                timeout, method).get("params");
    }

    /** Waits for a notification of {@code method} about call {@code callId}. */
    public JsonNode awaitCallEvent(String method, String callId, Duration timeout) {
        return awaitEvent(method, p -> callId.equals(p.path("callId").asText()), timeout);
    }

    /** Waits for a request the gateway sent to this client (e.g. a remote {@code call.update}). */
    public JsonNode awaitServerRequest(String method, Duration timeout) {
        return serverRequests.await(m -> method.equals(m.path("method").asText()), timeout, "request " + method);
    }

    /** Every notification (and unmatched reply) received so far, in arrival order. */
    public List<JsonNode> events() {
        return events.all();
    }

    public EventLog<JsonNode> eventLog() {
        return events;
    }

    /** Completes with the close code when the connection ends (1006 when it broke without one). */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    public boolean isOpen() {
        return !closed.isDone() && !socket.isOutputClosed();
    }

    /** A fresh params object. */
    public static ObjectNode params() {
        return JSON.createObjectNode();
    }

    public static ObjectMapper json() {
        return JSON;
    }

    /** Closes with 1000 and waits briefly for the server's close frame. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
                closed.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // The server did not close in time; abort drops the TCP connection instead.
            }
        }
        socket.abort();
    }
}
