package dev.passerelle.gateway.routes;

import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.QosConnector;
import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.media.MediaAnchor;
import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.NodeBus;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import dev.passerelle.gateway.signaling.Request;
import dev.passerelle.gateway.signaling.Results;
import dev.passerelle.gateway.signaling.RequestHandler;
import dev.passerelle.gateway.sip.SipEvents;
import dev.passerelle.gateway.sip.SipService;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
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
 * The only public type of this package besides the seam it needs from the signaling side
 * ({@link SessionPusher}).
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
    private volatile ProducerTemplate template;

    /**
     * @param media the anchor of calls with a SIP leg
     * @param direct the anchor of web-to-web calls, whose media goes end to end
     * @param qos where the {@code iceServers} of a login come from
     */
    public RoutingEngine(GatewayConfig config, SessionStore store, NodeBus bus, SipService sip, MediaAnchor media,
            MediaAnchor direct, IdentityConnector identity, QosConnector qos, ProtocolCodec codec, SessionPusher pusher,
            Clock clock) {
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
        CallSteps calls = new CallSteps(store, media, direct, identity, config.sip(), sip, clock, draining::get,
                callId -> later("direct:ring-timeout", null, Headers.CALL_ID, callId, ringTimeout), cluster);
        SessionSteps.ExpiryTimer expiry = (sessionId, detachedAt, after) -> later("direct:session-expired", sessionId,
                SessionSteps.DETACHED_AT, detachedAt, after);
        this.sessions = new SessionSteps(store, identity, qos, outbox,
                pusher, cluster, config.session().resumeWindow(), clock, draining::get, expiry);
        this.takeover = new Takeover(store, cluster, outbox, sip, config.session().resumeWindow(), clock,
                (callId, cause) -> template.sendBodyAndHeaders("direct:end-call", null,
                        Map.of(Headers.CALL_ID, callId, Headers.END_CAUSE, cause)),
                expiry, work);
        this.heartbeat = config.node().heartbeat();
        this.camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("passerelle-" + config.node().id());
        camel.addComponent("websession", webSessions);
        camel.addComponent("sip", sipSide);
        try {
            camel.addRoutes(new CallRoutes(calls));
            camel.addRoutes(new SessionRoutes(sessions));
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

    /** Starts the routes, then joins the cluster: from then on other nodes may send to this one. */
    public void start() {
        camel.start();
        template = camel.createProducerTemplate();
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
        timers.shutdownNow();
        work.shutdownNow();
        try {
            camel.close();
        } catch (Exception e) {
            log.warn("stopping Camel failed", e);
        }
    }
}
