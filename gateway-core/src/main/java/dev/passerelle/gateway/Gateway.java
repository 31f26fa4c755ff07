package dev.passerelle.gateway;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorKind;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.QosConnector;
import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.config.GatewayConfig.StoreConfig;
import dev.passerelle.gateway.connector.ConnectorRegistry;
import dev.passerelle.gateway.connector.MediaConnectors;
import dev.passerelle.gateway.media.MediaAnchor;
import dev.passerelle.gateway.media.NegotiatingAnchor;
import dev.passerelle.gateway.media.passthrough.PassthroughAnchor;
import dev.passerelle.gateway.routes.RoutingEngine;
import dev.passerelle.gateway.sdp.CodecPolicy;
import dev.passerelle.gateway.sdp.SdpLimits;
import dev.passerelle.gateway.sdp.SdpParser;
import dev.passerelle.gateway.routes.SessionPusher;
import dev.passerelle.gateway.session.NodeBus;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.session.StoreStatus;
import dev.passerelle.gateway.session.memory.LocalBus;
import dev.passerelle.gateway.session.memory.MemorySessionStore;
import dev.passerelle.gateway.session.redis.RedisSessionStore;
import dev.passerelle.gateway.session.redis.RedisStoreSettings;
import dev.passerelle.gateway.signaling.Health;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import dev.passerelle.gateway.signaling.SignalingServer;
import dev.passerelle.gateway.signaling.websocket.WebSocketServer;
import dev.passerelle.gateway.sip.JainSipService;
import dev.passerelle.gateway.sip.SipService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part of one node from its {@link GatewayConfig}, starts them
 * in order and drains them on the way out. Nothing else in the code creates a long-lived part.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final ConnectorRegistry connectors;
    private final IdentityConnector identity;
    private final QosConnector qos;
    private final SessionStore store;
    private final NodeBus bus;
    private final MediaAnchor media;
    private final MediaAnchor direct;
    private final SipService sip;
    private final RoutingEngine routing;
    private final SignalingServer signaling;
    private final WebSocketServer websocket;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final AtomicBoolean drained = new AtomicBoolean();

    /**
     * Builds the node; binds nothing yet.
     *
     * @throws dev.passerelle.gateway.config.ConfigException when a part refuses its settings
     */
    public Gateway(GatewayConfig config) {
        this(config, Clock.systemUTC());
    }

    Gateway(GatewayConfig config, Clock clock) {
        this.config = config;
        this.connectors = new ConnectorRegistry(Path.of(config.connectors().dir()), Map.of(
                ConnectorKind.IDENTITY, config.identity().connector(),
                ConnectorKind.QOS, config.qos().connector(),
                ConnectorKind.MEDIA, config.media().anchor()),
                (kind, name) -> new ConnectorContext(kind.settingsKey(name), settings(config, kind, name),
                        config.sip().domain()));
        // The routes keep these objects; the registry swaps the instances behind them.
        this.identity = connectors.identity();
        this.qos = connectors.qos();
        if (config.store().type().equals("redis")) {
            RedisSessionStore redis = new RedisSessionStore(redisSettings(config));
            this.store = redis;
            this.bus = redis.bus(config.node().id(), config.node().heartbeat());
        } else {
            this.store = new MemorySessionStore(config.session().eventLogLimit());
            this.bus = new LocalBus(config.node().id(), clock);
        }
        SdpParser sdp = new SdpParser(SdpLimits.defaults());
        CodecPolicy codecs = new CodecPolicy(config.media().audioCodecs(), config.media().videoCodecs());
        this.media = new NegotiatingAnchor(connectors.media(), sdp, codecs);
        // Web-to-web media goes end to end whatever media.anchor says: never swapped.
        this.direct = new NegotiatingAnchor(MediaConnectors.fixed(new PassthroughAnchor()), sdp, codecs);
        this.sip = new JainSipService(config.sip());
        ProtocolCodec codec = new ProtocolCodec(config.websocket().maxNestingDepth(), config.websocket().maxMessageBytes());
        this.routing = new RoutingEngine(config, store, bus, sip, media, direct, identity, qos, codec, new Sockets(),
                clock, connectors.providers());
        this.signaling = new SignalingServer(codec, routing.requestHandler());
        this.websocket = new WebSocketServer(config.websocket(), signaling, this::health, codec::health,
                routing.webhooks());
        sip.setEvents(routing.sipEvents());
        // RFC 4733 events the phone sends in its RTP, as the media anchor hears them: the same
        // call.dtmf path as SIP INFO.
        media.onSipDtmf((callId, tone) -> routing.sipEvents().dtmf(callId, tone));
    }

    /**
     * The store's own defaults for what lives how long (sessions and calls 12 h after their last
     * write, tombstones 1 h); the event log outlives the resume window by far.
     */
    private static RedisStoreSettings redisSettings(GatewayConfig config) {
        StoreConfig store = config.store();
        return RedisStoreSettings.defaults(store.redisUri().orElseThrow())
                .withKeyPrefix(store.redisPrefix())
                .withCommandTimeout(store.redisTimeout())
                .withEventLogLimit(config.session().eventLogLimit());
    }

    /**
     * The settings of a connector: for the selected connector of a kind, its section's subtree
     * ({@code identity.<name>}, {@code qos.<name>}, {@code media.<name>}); for a provider,
     * {@code providers.<name>}, empty when the configuration names it not.
     */
    private static Map<String, Object> settings(GatewayConfig config, ConnectorKind kind, String name) {
        return switch (kind) {
            case IDENTITY -> config.identity().settings();
            case QOS -> config.qos().settings();
            case MEDIA -> config.media().settings();
            case PROVIDER -> config.providers().getOrDefault(name, Map.of());
        };
    }

    /**
     * What {@code GET /health} says: draining once the drain began; degraded while the store
     * does not answer (calls already held go on; what needs the store is refused); else up.
     */
    private Health health() {
        StoreStatus store = this.store.status();
        String status = drained.get() ? "draining" : store.up() ? "up" : "degraded";
        return new Health(status, config.node().id(),
                new Health.Part(config.store().type(), store.up() ? "up" : "down", store.detail()),
                sip.outboundProxyState().stream()
                        .map(a -> new Health.ProxyAddress(a.address(), a.port(), a.transport(), a.state())).toList());
    }

    /** The routes reach this node's sockets through the signaling server, built after them. */
    private final class Sockets implements SessionPusher {
        @Override
        public boolean push(String sessionId, String frame) {
            return signaling.push(sessionId, frame);
        }

        @Override
        public void attach(String connectionId, String sessionId) {
            signaling.bind(connectionId, sessionId);
        }

        @Override
        public void release(String sessionId) {
            signaling.release(sessionId);
        }

        @Override
        public <T> CompletionStage<T> request(String sessionId, String method, Object params, Class<T> resultType,
                Duration timeout) {
            return signaling.request(sessionId, method, params, resultType, timeout);
        }
    }

    /** Starts every part; returns once the WebSocket and SIP listeners accept traffic. */
    public void start() {
        try {
            routing.start();
            started.push(routing);
            sip.start();
            started.push(() -> sip.stop(Duration.ZERO));
            startWebSocket();
            started.push(websocket::stop);
            if (config.connectors().watch()) {
                connectors.watch(config.connectors().quietPeriod());
            }
        } catch (RuntimeException e) {
            closeStarted();
            throw e;
        }
        log.info("node {} ready: WebSocket on {}:{}{}, SIP on {}:{} (UDP, TCP){}, domain {}", config.node().id(),
                config.websocket().host(), webSocketPort(), config.websocket().path(), config.sip().host(), sipPort(),
                sipTlsPort() > 0 ? " and " + sipTlsPort() + " (TLS)" : "", config.sip().domain());
    }

    private void startWebSocket() {
        try {
            websocket.start();
        } catch (Exception e) {
            throw new IllegalStateException("the WebSocket listener on " + config.websocket().host() + ":"
                    + config.websocket().port() + " did not start: " + e.getMessage(), e);
        }
    }

    /** The bound WebSocket port (the configured one, or the one picked for 0). */
    public int webSocketPort() {
        return websocket.port();
    }

    /** The bound SIP port, UDP and TCP. */
    public int sipPort() {
        return sip.port();
    }

    /** The bound SIP over TLS port, or 0 when {@code sip.tls} is not configured. */
    public int sipTlsPort() {
        return sip.tlsPort();
    }

    /**
     * Refuses new calls, ends live calls (BYE to SIP legs, {@code call.ended} to their sessions),
     * waits up to {@code grace} for the SIP side to finish, then stops every part. Idempotent.
     */
    public void drain(Duration grace) {
        if (!drained.compareAndSet(false, true)) {
            return;
        }
        if (!started.isEmpty()) {
            try {
                routing.drain();
            } catch (RuntimeException e) {
                log.error("ending the live calls failed", e);
            }
            sip.stop(grace);
        }
        closeStarted();
        closeQuietly(media);
        closeQuietly(direct);
        bus.close();
        store.close();
        // Last: no login, call or quality report reaches a connector any more; the QoS connector
        // sends what it still holds within its timeout.
        connectors.close();
    }

    private void closeStarted() {
        while (!started.isEmpty()) {
            closeQuietly(started.pop());
        }
    }

    private static void closeQuietly(AutoCloseable part) {
        try {
            part.close();
        } catch (Exception e) {
            log.warn("stopping a part failed", e);
        }
    }

    @Override
    public void close() {
        drain(Duration.ofSeconds(5));
    }
}
