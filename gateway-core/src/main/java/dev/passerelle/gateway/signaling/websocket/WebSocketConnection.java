package dev.passerelle.gateway.signaling.websocket;

import dev.passerelle.gateway.signaling.ClientConnection;
import dev.passerelle.gateway.signaling.ConnectionListener;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted WebSocket: the Jetty endpoint, and the {@link ClientConnection} the signaling
 * layer writes to.
 *
 * <p>Outbound frames go through a bounded queue with one write in flight, so that {@link #send}
 * never blocks, frames keep their order, and a client that stops reading costs at most {@code
 * queueLimit} frames before it is closed with 1008. A {@link #close} waits behind the frames
 * queued before it.
 *
 * <p>Public only because Jetty reaches the endpoint methods through a public method lookup; its
 * constructor is package-private and nothing outside this package uses it.
 */
public final class WebSocketConnection implements ClientConnection, Session.Listener.AutoDemanding {

    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);

    private final String id;
    private final int queueLimit;
    private final ConnectionListener listener;
    private final Consumer<WebSocketConnection> onOpen;
    private final Consumer<WebSocketConnection> onClose;
    private final Flusher flusher = new Flusher();
    private final AtomicBoolean closeReported = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    /** Guards {@link #queue}, {@link #closing} and {@link #pendingClose}. */
    private final Object lock = new Object();
    private final Queue<String> queue = new ArrayDeque<>();
    private boolean closing;
    private CloseRequest pendingClose;

    private volatile Session session;
    private volatile long lastReceivedNanos = System.nanoTime();

    private record CloseRequest(int statusCode, String reason) {}

    WebSocketConnection(String id, int queueLimit, ConnectionListener listener,
            Consumer<WebSocketConnection> onOpen, Consumer<WebSocketConnection> onClose) {
        this.id = id;
        this.queueLimit = queueLimit;
        this.listener = listener;
        this.onOpen = onOpen;
        this.onClose = onClose;
    }

    // ---------------------------------------------------------------- ClientConnection

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean send(String frame) {
        boolean overflow = false;
        synchronized (lock) {
            if (closing || pendingClose != null) {
                return false;
            }
            if (queue.size() >= queueLimit) {
                closing = true;
                queue.clear();
                overflow = true;
            } else {
                queue.add(frame);
            }
        }
        if (overflow) {
            // Straight to Jetty, not behind the queue: the client is not reading, so the queue
            // would never drain. The close frame follows the write already in flight.
            log.info("connection {}: more than {} frames waiting, closing", id, queueLimit);
            session.close(StatusCode.POLICY_VIOLATION, "outbound queue full", Callback.NOOP);
            return false;
        }
        flusher.iterate();
        return true;
    }

    @Override
    public void close(int statusCode, String reason) {
        synchronized (lock) {
            if (closing || pendingClose != null) {
                return;
            }
            pendingClose = new CloseRequest(statusCode, reason);
        }
        flusher.iterate();
    }

    /** Completes when the connection has closed, whoever closed it. */
    CompletableFuture<Void> closed() {
        return closed;
    }

    /**
     * Closes at once, ahead of queued frames, for shutdown and dead peers; the future completes
     * when the close frame is written or cannot be.
     */
    CompletableFuture<Void> closeNow(int statusCode, String reason) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        synchronized (lock) {
            closing = true;
            queue.clear();
        }
        session.close(statusCode, reason, Callback.from(() -> written.complete(null), x -> written.complete(null)));
        return written;
    }

    /** Pings the client, or closes it when nothing came from it for {@code idleNanos}. */
    void pingOrExpire(long nowNanos, long idleNanos) {
        if (nowNanos - lastReceivedNanos > idleNanos) {
            log.info("connection {}: nothing received for {} ms, closing", id, idleNanos / 1_000_000);
            closeNow(StatusCode.SHUTDOWN, "idle timeout");
        } else {
            session.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
        }
    }

    // ---------------------------------------------------------------- Jetty endpoint

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        onOpen.accept(this);
        listener.opened(this);
    }

    @Override
    public void onWebSocketText(String message) {
        lastReceivedNanos = System.nanoTime();
        try {
            listener.text(this, message);
        } catch (RuntimeException e) {
            // One bad frame must not take the connection down.
            log.error("connection {}: listener failed on a text frame", id, e);
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        closeNow(StatusCode.BAD_DATA, "binary frames are not supported");
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        lastReceivedNanos = System.nanoTime();
        session.sendPong(payload, Callback.NOOP);
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        lastReceivedNanos = System.nanoTime();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // Jetty closes the session after an error and then calls onWebSocketClose.
        log.debug("connection {}: {}", id, cause.toString());
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        synchronized (lock) {
            closing = true;
            queue.clear();
        }
        try {
            if (closeReported.compareAndSet(false, true)) {
                onClose.accept(this);
                listener.closed(this, statusCode, reason);
            }
        } finally {
            closed.complete(null);
            callback.succeed();
        }
    }

    /** Writes queued frames one at a time, then a pending close; never recurses on fast writes. */
    private final class Flusher extends IteratingCallback {
        @Override
        protected Action process() {
            String next;
            CloseRequest close = null;
            synchronized (lock) {
                next = queue.poll();
                if (next == null && pendingClose != null && !closing) {
                    close = pendingClose;
                    closing = true;
                }
            }
            if (next != null) {
                session.sendText(next, Callback.from(this::succeeded, this::failed));
                return Action.SCHEDULED;
            }
            if (close != null) {
                session.close(close.statusCode(), close.reason(), Callback.from(this::succeeded, this::failed));
                return Action.SCHEDULED;
            }
            return Action.IDLE;
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            synchronized (lock) {
                closing = true;
                queue.clear();
            }
            log.debug("connection {}: write failed: {}", id, cause.toString());
        }
    }
}
