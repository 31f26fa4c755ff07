package dev.passerelle.gateway.routes;

import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.media.MediaAnchor;
import dev.passerelle.gateway.qos.TurnCredentials;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.RequestHandler;
import dev.passerelle.gateway.sip.SipEvents;
import dev.passerelle.gateway.sip.SipService;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
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
 * components and the routes between them. The only public type of this package besides the two
 * seams it needs from the signaling side ({@link EventEncoder}, {@link SessionPusher}).
 */
public final class RoutingEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoutingEngine.class);

    private final CamelContext camel;
    private final WebSessionComponent webSessions;
    private final SipComponent sipSide;
    private final ScheduledExecutorService timers;
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile ProducerTemplate template;

    /**
     * @param media the anchor of calls with a SIP leg
     * @param direct the anchor of web-to-web calls, whose media goes end to end
     */
    public RoutingEngine(GatewayConfig config, SessionStore store, SipService sip, MediaAnchor media,
            MediaAnchor direct, IdentityConnector identity, EventEncoder encoder, SessionPusher pusher, Clock clock) {
        this.timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "passerelle-timers");
            t.setDaemon(true);
            return t;
        });
        EventOutbox outbox = new EventOutbox(store, encoder, pusher);
        this.webSessions = new WebSessionComponent(outbox);
        this.sipSide = new SipComponent(sip);
        Duration ringTimeout = config.sip().ringTimeout();
        CallSteps calls = new CallSteps(store, media, direct, identity, config.sip(), sip, clock, draining::get,
                callId -> later("direct:ring-timeout", null, Headers.CALL_ID, callId, ringTimeout));
        SessionSteps sessions = new SessionSteps(store, identity, new TurnCredentials(config.qos(), clock), outbox,
                pusher, config.node().id(), config.session().resumeWindow(), clock, draining::get,
                (sessionId, detachedAt, after) -> later("direct:session-expired", sessionId,
                        SessionSteps.DETACHED_AT, detachedAt, after));
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

    public void start() {
        camel.start();
        template = camel.createProducerTemplate();
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
        try {
            camel.close();
        } catch (Exception e) {
            log.warn("stopping Camel failed", e);
        }
    }
}
