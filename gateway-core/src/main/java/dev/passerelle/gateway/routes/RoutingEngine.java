package dev.passerelle.gateway.routes;

import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.QosConnector;
import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.connector.ConnectorWatcher;
import dev.passerelle.gateway.connector.Providers;
import dev.passerelle.gateway.media.MediaAnchor;
import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.NodeBus;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import dev.passerelle.gateway.signaling.Request;
import dev.passerelle.gateway.signaling.Results;
import dev.passerelle.gateway.signaling.RequestHandler;
import dev.passerelle.gateway.signaling.Webhooks;
import dev.passerelle.gateway.sip.SipEvents;
import dev.passerelle.gateway.sip.SipService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The translation layer as one part: a Camel context with the {@code websession} and {@code sip}
 * components and the routes between them, and this node's part in the cluster ({@link Cluster}).
 * It also holds the route files of {@code connectors.dir} ({@link RouteFiles}) and the {@code
 * passerelle} component they plug providers in with. The only public type of this package besides
 * the seam it needs from the signaling side ({@link SessionPusher}).
 */
public final class RoutingEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoutingEngine.class);

    private final CamelContext camel;
    private final WebSessionComponent webSessions;
    private final SipComponent sipSide;
    private final ScheduledExecutorService timers;
    /** Runs what other nodes ask of this one, off the bus's thread: virtual threads where the JVM has them. */
    private final ExecutorService work;
    private final Cluster cluster;
    private final EventOutbox outbox;
    private final SessionSteps sessions;
    private final Takeover takeover;
    private final Duration heartbeat;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final PasserelleComponent passerelle;
    private final RouteFiles routeFiles;
    private final GatewayConfig.ConnectorsConfig connectors;
    private volatile ProducerTemplate template;
    private volatile ConnectorWatcher watcher;

    /**
     * @param media the anchor of calls with a SIP leg
     * @param direct the anchor of web-to-web calls, whose media goes end to end
     * @param qos where the {@code iceServers} of a login come from and the browsers' quality reports go
     * @param providers the providers from elsewhere than route files (connector units); asked
     *     before the route files' for each destination
     */
    public RoutingEngine(GatewayConfig config, SessionStore store, NodeBus bus, SipService sip, MediaAnchor media,
            MediaAnchor direct, IdentityConnector identity, QosConnector qos, ProtocolCodec codec, SessionPusher pusher,
            Clock clock, Providers providers) {
        this.timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "passerelle-timers");
            t.setDaemon(true);
            return t;
        });
        this.work = workExecutor("passerelle-bus-work-" + config.node().id());
        this.cluster = new Cluster(bus, codec, config.node().timeout(), clock, work, timers);
        this.outbox = new EventOutbox(store, codec, pusher, cluster);
        this.webSessions = new WebSessionComponent(outbox, store, cluster);
        this.sipSide = new SipComponent(sip);
        Duration ringTimeout = config.sip().ringTimeout();
        this.camel = new DefaultCamelContext();
        this.connectors = config.connectors();
        this.routeFiles = new RouteFiles(camel, Path.of(connectors.dir()), work);
        this.passerelle = new PasserelleComponent(routeFiles::versionOf, work);
        CallSteps calls = new CallSteps(store, media, direct, identity, config.sip(), sip, clock, draining::get,
                callId -> later("direct:ring-timeout", null, Headers.CALL_ID, callId, ringTimeout), cluster,
                Providers.firstOf(List.of(providers, passerelle)), new ProviderCalls(),
                event -> template.sendBody("direct:provider-event", event), pusher, config.session().updateTimeout());
        SessionSteps.ExpiryTimer expiry = (sessionId, detachedAt, after) -> later("direct:session-expired", sessionId,
                SessionSteps.DETACHED_AT, detachedAt, after);
        this.sessions = new SessionSteps(store, identity, qos, outbox,
                pusher, cluster, config.session().resumeWindow(), clock, draining::get, expiry);
        this.takeover = new Takeover(store, cluster, outbox, sip, config.session().resumeWindow(), clock,
                (callId, cause) -> template.sendBodyAndHeaders("direct:end-call", null,
                        Map.of(Headers.CALL_ID, callId, Headers.END_CAUSE, cause)),
                expiry, work);
        this.heartbeat = config.node().heartbeat();
        camel.getCamelContextExtension().setName("passerelle-" + config.node().id());
        camel.getPropertiesComponent().setInitialProperties(providerProperties(config.providers()));
        camel.addComponent("websession", webSessions);
        camel.addComponent("sip", sipSide);
        camel.addComponent("passerelle", passerelle);
        try {
            camel.addRoutes(new CallRoutes(calls));
            camel.addRoutes(new SessionRoutes(sessions, new RegistrationSteps(store, sip, outbox, cluster, clock,
                    config.sip().registrar().isPresent())));
            camel.addRoutes(new MessageRoutes(new MessageSteps(store, calls, sip, outbox, clock, draining::get, work)));
            camel.addRoutes(new QosRoutes(new QosSteps(store, qos, config.node().id(), clock)));
            camel.addRoutes(new PresenceRoutes(new PresenceSteps(store, sip, calls, outbox, cluster,
                    config.sip().registrar().isPresent())));
        } catch (Exception e) {
            throw new IllegalStateException("the routes do not build", e);
        }
    }

    /** What the signaling server hands client requests to. */
    public RequestHandler requestHandler() {
        return webSessions;
    }

    /** What the SIP side reports its events to. */
    public SipEvents sipEvents() {
        return sipSide;
    }

    /** What serves {@code POST /connectors/<path>}: the route files' {@code passerelle:webhook} endpoints. */
    public Webhooks webhooks() {
        return passerelle;
    }

    /**
     * {@code providers.<name>.<key>} for each setting, as route files' placeholders read them: a
     * nested mapping continues the key with dots, a list is its items joined with commas.
     */
    private static Properties providerProperties(Map<String, Map<String, Object>> providers) {
        Properties out = new Properties();
        providers.forEach((name, settings) -> flatten("providers." + name, settings, out));
        return out;
    }

    private static void flatten(String key, Object value, Properties out) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(key + "." + k, v, out));
        } else if (value instanceof List<?> list) {
            out.setProperty(key, String.join(",", list.stream().map(String::valueOf).toList()));
        } else if (value != null) {
            out.setProperty(key, value.toString());
        }
    }

    /**
     * Starts the routes, loads the route files of {@code connectors.dir} (and watches it unless
     * {@code connectors.watch} is false), then joins the cluster: from then on other nodes may
     * send to this one.
     */
    public void start() {
        camel.start();
        template = camel.createProducerTemplate();
        routeFiles.rescan();
        Path dir = Path.of(connectors.dir());
        if (connectors.watch() && Files.isDirectory(dir)) {
            try {
                watcher = new ConnectorWatcher(dir, connectors.quietPeriod(), routeFiles::rescan);
            } catch (IOException e) {
                throw new IllegalStateException("connectors.dir " + dir + " cannot be watched for route files: "
                        + e.getMessage(), e);
            }
            watcher.start();
        }
        cluster.start(new Receiver());
        timers.scheduleWithFixedDelay(() -> work.execute(this::sweep), heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** One sweep at a time: a slow one (a store timing out) is not joined by the next. */
    private void sweep() {
        if (draining.get() || !sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            takeover.sweep();
        } catch (RuntimeException e) {
            log.warn("taking over from dead nodes failed this time: {}", e.getMessage(), e);
        } finally {
            sweeping.set(false);
        }
    }

    /** What this node does for the others. */
    private final class Receiver implements Cluster.Receiver {
        @Override
        public void wake(String sessionId, LoggedEvent event) {
            outbox.offer(sessionId, event);
        }

        @Override
        public void moved(String sessionId) {
            sessions.moved(sessionId);
        }

        @Override
        public CompletionStage<Object> forwarded(String sessionId, Request request) {
            return webSessions.handleHere(null, sessionId, request);
        }

        @Override
        public CompletionStage<Object> endCall(String callId, EndCause cause) {
            return CompletableFuture.supplyAsync(() -> {
                template.sendBodyAndHeaders("direct:end-call", null,
                        Map.of(Headers.CALL_ID, callId, Headers.END_CAUSE, cause));
                return Results.Empty.INSTANCE;
            }, work);
        }

        @Override
        public void catchUp() {
            outbox.catchUp();
        }
    }

    /**
     * One virtual thread per task on a JVM that has them (21+), else a bounded pool of platform
     * threads; found by reflection because the code is compiled for release 17.
     */
    private static ExecutorService workExecutor(String name) {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    runnable -> {
                        Thread t = new Thread(runnable, name);
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }

    /**
     * Refuses new logins and calls from now on, and ends every live call (BYE, CANCEL or a final
     * response on its SIP leg, {@code call.ended} by gateway to its sessions).
     */
    public void drain() {
        draining.set(true);
        template.sendBody("direct:drain", null);
    }

    private void later(String uri, Object body, String header, Object headerValue, Duration after) {
        timers.schedule(() -> {
            try {
                template.sendBodyAndHeader(uri, body, header, headerValue);
            } catch (RuntimeException e) {
                log.error("{} failed", uri, e);
            }
        }, after.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        timers.shutdownNow();
        // Provider hangups of the drain run there: they get a moment to reach their partners.
        work.shutdown();
        try {
            if (!work.awaitTermination(2, TimeUnit.SECONDS)) {
                work.shutdownNow();
            }
        } catch (InterruptedException e) {
            work.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            camel.close();
        } catch (Exception e) {
            log.warn("stopping Camel failed", e);
        }
    }
}
