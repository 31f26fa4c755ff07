package dev.passerelle.gateway.routes;

import dev.passerelle.connector.spi.Identity;
import dev.passerelle.gateway.session.RegistrationStatus;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.Event;
import dev.passerelle.gateway.signaling.Results;
import dev.passerelle.gateway.sip.RegistrationState;
import dev.passerelle.gateway.sip.SipRegistration;
import dev.passerelle.gateway.sip.SipService;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registration on behalf of web users (IMS mode, {@code sip.registrar} set): the first session of
 * a user on this node registers the user's AOR with the identity's {@code sipPassword}, the end of
 * the last one removes it, and every change is pushed as {@code registration.state} to the user's
 * sessions on this node and kept in their {@link SessionRecord#registration()}. The SIP side keeps
 * one registration per AOR; this class only decides when it starts and ends.
 */
final class RegistrationSteps {

    private static final Logger log = LoggerFactory.getLogger(RegistrationSteps.class);

    /** Exchange property: the {@link Identity} a login authenticated. */
    static final String IDENTITY = "PasserelleIdentity";
    /** Exchange property: the {@link SessionRecord} of a session about to end. */
    static final String ENDING_SESSION = "PasserelleEndingSession";

    private final SessionStore store;
    private final SipService sip;
    private final EventOutbox outbox;
    private final Cluster cluster;
    private final Clock clock;
    private final boolean enabled;
    /** The AORs this node registers: the user, and the last state the SIP side reported. */
    private final Map<String, Registered> byAor = new ConcurrentHashMap<>();

    private static final class Registered {
        final String user;
        volatile RegistrationState last;

        Registered(String user) {
            this.user = user;
        }
    }

    RegistrationSteps(SessionStore store, SipService sip, EventOutbox outbox, Cluster cluster, Clock clock,
            boolean enabled) {
        this.store = store;
        this.sip = sip;
        this.outbox = outbox;
        this.cluster = cluster;
        this.clock = clock;
        this.enabled = enabled;
    }

    /**
     * After a login: registers the user unless this node already does (then the new session gets
     * the current state at once). Nothing without {@code sip.registrar} or without a
     * {@code sipPassword}.
     */
    void loggedIn(Exchange exchange) {
        Identity identity = exchange.getProperty(IDENTITY, Identity.class);
        if (!enabled || identity == null || identity.sipPassword() == null) {
            return;
        }
        String sessionId = exchange.getMessage().getBody(Results.Login.class).sessionId();
        Registered registered = byAor.computeIfAbsent(identity.sipUri(), aor -> new Registered(identity.user()));
        try {
            sip.register(new SipRegistration(identity.user(), identity.sipUri(), identity.displayName(),
                    identity.user(), identity.sipPassword()));
        } catch (RuntimeException e) {
            log.warn("cannot register {}: {}", identity.sipUri(), e.getMessage());
            byAor.remove(identity.sipUri(), registered);
            tell(List.of(sessionId), new RegistrationState(RegistrationState.Status.FAILED, 0, e.getMessage(), null));
            return;
        }
        RegistrationState now = registered.last;
        if (now != null) {
            tell(List.of(sessionId), now);
        }
    }

    /** Before a session ends (logout, resume window closed): remembers whose it was. */
    void sessionEnding(Exchange exchange) {
        String sessionId = exchange.getMessage().getHeader(Headers.SESSION_ID, String.class);
        store.session(sessionId).ifPresent(s -> exchange.setProperty(ENDING_SESSION, s));
    }

    /** After a session ended: removes the registration when it was the user's last session here. */
    void sessionEnded(Exchange exchange) {
        SessionRecord ended = exchange.getProperty(ENDING_SESSION, SessionRecord.class);
        if (!enabled || ended == null || !byAor.containsKey(ended.sipUri())) {
            return;
        }
        if (localSessions(ended.user(), ended.sipUri()).isEmpty()) {
            sip.unregister(ended.sipUri());
        }
    }

    /**
     * {@code sip:registration-state}: records the state in the sessions of that AOR on this node
     * and leaves the {@code registration.state} event for them as the body.
     */
    void stateChanged(Exchange exchange) {
        SipComponent.RegistrationChanged changed = exchange.getMessage().getBody(SipComponent.RegistrationChanged.class);
        Registered registered = changed.state().status() == RegistrationState.Status.UNREGISTERED
                ? byAor.remove(changed.aor()) : byAor.get(changed.aor());
        if (registered == null) {
            exchange.getMessage().setBody(Delivery.none());
            return;
        }
        registered.last = changed.state();
        List<String> sessions = localSessions(registered.user, changed.aor()).stream()
                .map(SessionRecord::sessionId).toList();
        exchange.getMessage().setBody(record(sessions, changed.state()));
    }

    private void tell(List<String> sessionIds, RegistrationState state) {
        outbox.deliver(record(sessionIds, state));
    }

    private Delivery record(List<String> sessionIds, RegistrationState state) {
        RegistrationStatus status = new RegistrationStatus(wire(state.status()), state.code() == 0 ? null : state.code(),
                state.reason(), state.expiresAt(), clock.instant());
        for (String id : sessionIds) {
            store.updateSession(id, s -> s.withRegistration(status));
        }
        return Delivery.to(sessionIds, new Event.RegistrationState(status.state(), status.code(), status.reason(),
                Optional.ofNullable(status.expiresAt()).map(Object::toString).orElse(null)));
    }

    private List<SessionRecord> localSessions(String user, String aor) {
        return store.sessionsOfUser(user).stream()
                .filter(s -> cluster.isLocal(s.nodeId()) && s.sipUri().equals(aor))
                .toList();
    }

    private static String wire(RegistrationState.Status status) {
        return status.name().toLowerCase(Locale.ROOT);
    }
}
