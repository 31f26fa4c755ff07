package dev.passerelle.gateway.signaling.websocket;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.signaling.ConnectionListener;
import dev.passerelle.gateway.signaling.Health;
import dev.passerelle.gateway.signaling.Webhooks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket and HTTP listener (Jetty 12 core, no servlets). What it promises:
 *
 * <ul>
 *   <li>Upgrades only at {@code config.path()} and only a client offering subprotocol {@value
 *       #SUBPROTOCOL}, which it then selects; an upgrade without it is refused with HTTP 400.
 *   <li>{@code /connectors/<path>} is the connectors' endpoints ({@link WebhookPage}): POST only,
 *       bodies bounded, handed to {@link Webhooks}.
 *   <li>Every other HTTP request goes to the demo page and SDK ({@link StaticPages}): a file of
 *       the class-path folder {@code web/} for GET and HEAD, 404 for anything else, including a
 *       plain GET of {@code config.path()}; a path that escapes the root or hides dot segments in
 *       escapes gets 400 from Jetty's URI checks before any handler runs.
 *   <li>A text message bigger than {@code maxMessageBytes} closes the connection with 1009; a
 *       binary message closes it with 1003.
 *   <li>Every {@code pingInterval} each connection is pinged; one from which nothing (message,
 *       ping or pong) came for {@code idleTimeout} is closed with 1001. Jetty's own idle timeout,
 *       set to the same value, closes connections silent in both directions.
 *   <li>{@link dev.passerelle.gateway.signaling.ClientConnection#send} never blocks; see {@link
 *       WebSocketConnection} for the outbound queue and its 1008.
 *   <li>Connection ids are {@code ws-<n>}, unique for the life of this server.
 * </ul>
 */
public final class WebSocketServer {

    public static final String SUBPROTOCOL = "passerelle.v1";

    private static final Logger log = LoggerFactory.getLogger(WebSocketServer.class);
    private static final Duration STOP_CLOSE_WAIT = Duration.ofSeconds(2);

    private final GatewayConfig.WebSocketConfig config;
    private final ConnectionListener listener;
    private final Server server;
    private final ServerConnector connector;
    private final Scheduler scheduler;
    private final Set<WebSocketConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextId = new AtomicLong();
    private volatile boolean running;

    /** A listener without connector endpoints: every {@code /connectors/} path is 404. */
    public WebSocketServer(GatewayConfig.WebSocketConfig config, ConnectionListener listener, Supplier<Health> health,
            Function<Health, String> json) {
        this(config, listener, health, json, Webhooks.NONE);
    }

    /**
     * @param health what {@code GET /health} reports, asked on each request
     * @param json how a {@link Health} is written
     * @param webhooks what serves {@code POST /connectors/<path>}
     */
    public WebSocketServer(GatewayConfig.WebSocketConfig config, ConnectionListener listener, Supplier<Health> health,
            Function<Health, String> json, Webhooks webhooks) {
        this.config = config;
        this.listener = listener;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("passerelle-ws");
        // Null before Java 21: Jetty then keeps to its platform threads.
        threads.setVirtualThreadsExecutor(VirtualThreads.getDefaultVirtualThreadsExecutor());
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        scheduler = new ScheduledExecutorScheduler("passerelle-ws-ping", true);
        server.addBean(scheduler);
        WebSocketUpgradeHandler upgrades = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(config.maxMessageBytes());
            container.setMaxBinaryMessageSize(config.maxMessageBytes());
            container.setMaxFrameSize(config.maxMessageBytes());
            container.setIdleTimeout(config.idleTimeout());
            container.addMapping(config.path(), this::upgrade);
        });
        // A request that is not an upgrade at the path passes through to the wrapped handler.
        upgrades.setHandler(new Handler.Sequence(new HealthPage(health, json), new WebhookPage(webhooks),
                StaticPages.handler(server)));
        server.setHandler(upgrades);
    }

    private Object upgrade(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        if (!request.hasSubProtocol(SUBPROTOCOL)) {
            Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400,
                    "WebSocket subprotocol " + SUBPROTOCOL + " required");
            return null;
        }
        response.setAcceptedSubProtocol(SUBPROTOCOL);
        return new WebSocketConnection("ws-" + nextId.incrementAndGet(), config.outboundQueueLimit(), listener,
                open::add, open::remove);
    }

    public void start() throws Exception {
        server.start();
        running = true;
        schedulePings();
        log.info("WebSocket listener on {}:{}{}", config.host(), port(), config.path());
    }

    /** The port the listener is bound to; the real one when the configuration said 0. */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * Closes every connection with 1001 behind the frames already queued for it (the
     * {@code call.ended} of a drain among them), waits up to {@code STOP_CLOSE_WAIT} for the
     * clients to take them, closes the slow ones at once, and stops.
     */
    public void stop() throws Exception {
        running = false;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (WebSocketConnection c : open) {
            c.close(StatusCode.SHUTDOWN, "server stopping");
            closing.add(c.closed());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(STOP_CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("{} connections did not take their last frames in time; closing them now", open.size());
            for (WebSocketConnection c : open) {
                c.closeNow(StatusCode.SHUTDOWN, "server stopping");
            }
        }
        server.stop();
    }

    private void schedulePings() {
        scheduler.schedule(this::pingAll, config.pingInterval());
    }

    private void pingAll() {
        if (!running) {
            return;
        }
        long now = System.nanoTime();
        long idleNanos = config.idleTimeout().toNanos();
        for (WebSocketConnection c : open) {
            try {
                c.pingOrExpire(now, idleNanos);
            } catch (RuntimeException e) {
                log.warn("ping of {} failed", c.id(), e);
            }
        }
        schedulePings();
    }
}
