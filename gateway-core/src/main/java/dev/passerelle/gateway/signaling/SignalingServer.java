package dev.passerelle.gateway.signaling;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC side of the client connections of this node: decodes each frame, checks that the
 * connection may call the method, hands the request to the {@link RequestHandler} and writes
 * exactly one response per request that has an id (none for notifications).
 *
 * <p>It also keeps the binding connection ⇄ session: one session per connection and one
 * connection per session. A connection is bound when {@code session.login} or {@code
 * session.resume} succeeds, before the result is written, so that the client's next request
 * already finds its session. It is unbound when {@code session.logout} succeeds, also before the
 * result is written, so that the client may log in again as soon as it reads the result; and when
 * it closes, in which case the handler hears {@link RequestHandler#sessionDetached}.
 *
 * <p>Refusals it makes itself: a method other than login/resume on an unbound connection is 401
 * "not logged in"; login or resume on a connection that is bound, or has one of them in flight,
 * is 400.
 */
public final class SignalingServer implements ConnectionListener {

    private static final Logger log = LoggerFactory.getLogger(SignalingServer.class);

    /** Close code when a session is resumed on another connection of this node. */
    static final int SESSION_MOVED = 1000;

    private final ProtocolCodec codec;
    private final RequestHandler handler;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Connection> bySession = new ConcurrentHashMap<>();
    /** The gateway's requests to clients that await a response, by request id. */
    private final Map<String, Outgoing> outgoing = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    /** Guards every change of a binding: {@link Connection}'s mutable fields and {@link #bySession}. */
    private final Object bindings = new Object();

    public SignalingServer(ProtocolCodec codec, RequestHandler handler) {
        this.codec = codec;
        this.handler = handler;
    }

    /** One client connection and its binding; mutable fields only under {@link #bindings}. */
    private static final class Connection {
        final ClientConnection transport;
        String sessionId;
        boolean loginInFlight;
        boolean closed;

        Connection(ClientConnection transport) {
            this.transport = transport;
        }
    }

    /** A request of the gateway to one connection, until its response, its timeout or the connection's end. */
    private record Outgoing(String connectionId, CompletableFuture<Reply> reply) {}

    @Override
    public void opened(ClientConnection connection) {
        connections.put(connection.id(), new Connection(connection));
    }

    @Override
    public void text(ClientConnection connection, String text) {
        Connection c = connections.get(connection.id());
        if (c == null) {
            log.debug("frame on unknown connection {} ignored", connection.id());
            return;
        }
        boolean loggedIn;
        synchronized (bindings) {
            loggedIn = c.sessionId != null;
        }
        Request request;
        try {
            Inbound inbound = codec.decodeInbound(text, loggedIn);
            if (inbound instanceof Reply reply) {
                replied(connection.id(), reply);
                return;
            }
            request = (Request) inbound;
        } catch (RpcException e) {
            // -32700 and -32600 are answered even without an id (JSON-RPC: the id could not be
            // trusted); 401, -32601 and -32602 come after the id was read, so null there is a
            // notification.
            boolean answer = e.id() != null
                    || e.code() == ErrorCode.PARSE_ERROR || e.code() == ErrorCode.INVALID_REQUEST;
            if (answer) {
                connection.send(codec.error(e.id(), e.code(), e.getMessage()));
            }
            return;
        }
        String sessionId;
        String refusal = null;
        synchronized (bindings) {
            sessionId = c.sessionId;
            if (request.method().needsSession()) {
                if (sessionId == null) {
                    refusal = codec.error(request.id(), ErrorCode.UNAUTHORIZED, "not logged in");
                }
            } else if (sessionId != null || c.loginInFlight) {
                refusal = codec.error(request.id(), ErrorCode.BAD_REQUEST, "this connection already has a session");
            } else {
                c.loginInFlight = true;
            }
        }
        if (refusal != null) {
            reply(c, request, refusal);
            return;
        }
        dispatch(c, sessionId, request)
                .whenComplete((result, failure) -> complete(c, request, result, failure));
    }

    private CompletionStage<Object> dispatch(Connection c, String sessionId, Request request) {
        try {
            CompletionStage<Object> stage = handler.handle(c.transport.id(), sessionId, request);
            return stage != null ? stage
                    : CompletableFuture.failedFuture(new IllegalStateException("handler returned no stage"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void complete(Connection c, Request request, Object result, Throwable failure) {
        if (failure != null) {
            if (!request.method().needsSession()) {
                synchronized (bindings) {
                    c.loginInFlight = false;
                }
            }
            reply(c, request, errorFor(request, unwrap(failure)));
            return;
        }
        if (result instanceof Results.Login login) {
            bind(c, login.sessionId());
        } else if (result instanceof Results.Resume resume) {
            bind(c, resume.sessionId());
        } else if (request.method() == Method.SESSION_LOGOUT) {
            unbind(c);
        }
        // A handler that completes with null means "nothing to say": written as {}.
        reply(c, request, codec.result(request.id(), result != null ? result : Results.Empty.INSTANCE));
    }

    private String errorFor(Request request, Throwable failure) {
        if (failure instanceof GatewayException e) {
            return codec.error(request.id(), e.code(), e.getMessage());
        }
        log.error("{} failed", request.method().wireName(), failure);
        return codec.error(request.id(), ErrorCode.INTERNAL_ERROR, "internal error");
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Writes {@code frame} unless the request was a notification. */
    private static void reply(Connection c, Request request, String frame) {
        if (!request.isNotification()) {
            c.transport.send(frame);
        }
    }

    private void bind(Connection c, String sessionId) {
        Connection previous;
        boolean detachNow;
        synchronized (bindings) {
            c.loginInFlight = false;
            detachNow = c.closed;
            if (detachNow) {
                previous = null;
            } else {
                c.sessionId = sessionId;
                previous = bySession.put(sessionId, c);
                if (previous != null && previous != c) {
                    // The session moved here (resume from a new socket): the old socket no longer
                    // owns it, and its closing must not detach it.
                    previous.sessionId = null;
                }
            }
        }
        if (detachNow) {
            // The connection closed while login/resume was in flight: the session has no socket.
            detached(sessionId);
        } else if (previous != null && previous != c) {
            previous.transport.close(SESSION_MOVED, "session resumed on another connection");
        }
    }

    private void unbind(Connection c) {
        synchronized (bindings) {
            if (c.sessionId != null) {
                bySession.remove(c.sessionId, c);
                c.sessionId = null;
            }
        }
    }

    @Override
    public void closed(ClientConnection connection, int statusCode, String reason) {
        Connection c = connections.remove(connection.id());
        if (c == null) {
            return;
        }
        String sessionId;
        synchronized (bindings) {
            c.closed = true;
            sessionId = c.sessionId;
            if (sessionId != null) {
                bySession.remove(sessionId, c);
                c.sessionId = null;
            }
        }
        log.debug("connection {} closed ({} {}), session {}", connection.id(), statusCode, reason, sessionId);
        // A response can only come on the connection the request went to.
        outgoing.values().removeIf(o -> o.connectionId().equals(connection.id())
                && o.reply().completeExceptionally(new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                        "the client's connection closed before it answered")));
        if (sessionId != null) {
            detached(sessionId);
        }
    }

    private void detached(String sessionId) {
        try {
            handler.sessionDetached(sessionId);
        } catch (RuntimeException e) {
            log.error("sessionDetached({}) failed", sessionId, e);
        }
    }

    /**
     * Sends a frame to the connection of {@code sessionId} on this node. False when the session
     * has no connection here, or the connection refused the frame (closed, or its queue is full).
     */
    public boolean push(String sessionId, String frame) {
        Connection c = bySession.get(sessionId);
        return c != null && c.transport.send(frame);
    }

    /**
     * Sends a request to the connection of {@code sessionId} on this node and waits up to
     * {@code timeout} for the client's response. The stage completes with the client's result as
     * {@code resultType} (one of the {@link Results} records); it fails with a
     * {@link GatewayException} carrying the client's error code when it answers an error,
     * {@link ErrorCode#INVALID_PARAMS} when its result does not fit, {@link ErrorCode#TIMEOUT}
     * when no response came in time, and {@link ErrorCode#SERVICE_UNAVAILABLE} when the session
     * has no connection here or the connection closes first. A response is accepted only from the
     * connection the request went to, once.
     */
    public <T> CompletionStage<T> request(String sessionId, String method, Object params, Class<T> resultType,
            Duration timeout) {
        Connection c = bySession.get(sessionId);
        if (c == null) {
            return CompletableFuture.failedFuture(
                    new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "the session has no connection on this node"));
        }
        String id = "g-" + requestIds.incrementAndGet();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        outgoing.put(id, new Outgoing(c.transport.id(), reply));
        if (!c.transport.send(codec.gatewayRequest(id, method, params))) {
            outgoing.remove(id);
            return CompletableFuture.failedFuture(
                    new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "the session's connection refused the request"));
        }
        return reply
                .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(r -> {
                    if (r == null) {
                        throw new GatewayException(ErrorCode.TIMEOUT,
                                "the client did not answer " + method + " within " + timeout.toSeconds() + " s");
                    }
                    return codec.replyResult(r, resultType);
                })
                .whenComplete((r, failure) -> outgoing.remove(id));
    }

    private void replied(String connectionId, Reply reply) {
        Outgoing o = outgoing.get(reply.id());
        if (o == null || !o.connectionId().equals(connectionId) || !outgoing.remove(reply.id(), o)) {
            log.debug("response {} from connection {} answers no request of ours: ignored", reply.id(), connectionId);
            return;
        }
        o.reply().complete(reply);
    }

    /**
     * Binds a session to a connection of this node now, before its request completes: a resume
     * binds first and then replays, so that no live event slips between the replayed ones.
     */
    public void bind(String connectionId, String sessionId) {
        Connection c = connections.get(connectionId);
        if (c != null) {
            bind(c, sessionId);
        }
    }

    /**
     * The session was resumed on another node: its connection here, if it has one, is unbound
     * and closed without the session being reported detached (it is attached elsewhere now).
     */
    public void release(String sessionId) {
        Connection c;
        synchronized (bindings) {
            c = bySession.remove(sessionId);
            if (c != null) {
                c.sessionId = null;
            }
        }
        if (c != null) {
            c.transport.close(SESSION_MOVED, "session resumed on another node");
        }
    }

    /** True when the session has a connection on this node. */
    public boolean isAttached(String sessionId) {
        return bySession.containsKey(sessionId);
    }

    /** Closes every connection; each one is then reported through {@link #closed}. */
    public void closeAll(int statusCode, String reason) {
        for (Connection c : connections.values()) {
            c.transport.close(statusCode, reason);
        }
    }

    public int connectionCount() {
        return connections.size();
    }
}
