package dev.passerelle.gateway.routes;

import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.qos.TurnCredentials;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.Params;
import dev.passerelle.gateway.signaling.Results;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** The steps of {@link SessionRoutes}: login, resume, acknowledgement, logout, lost sockets. */
final class SessionSteps {

    private final SessionStore store;
    private final IdentityConnector identity;
    private final TurnCredentials turn;
    private final EventOutbox outbox;
    private final SessionPusher pusher;
    private final String nodeId;
    private final Duration resumeWindow;
    private final Clock clock;
    private final BooleanSupplier draining;
    private final ExpiryTimer expiryTimer;
    private final SecureRandom random = new SecureRandom();

    /** Schedules the end of a session whose socket dropped, {@code session.resumeWindow} later. */
    @FunctionalInterface
    interface ExpiryTimer {
        void start(String sessionId, Duration after);
    }

    SessionSteps(SessionStore store, IdentityConnector identity, TurnCredentials turn, EventOutbox outbox,
            SessionPusher pusher, String nodeId, Duration resumeWindow, Clock clock, BooleanSupplier draining,
            ExpiryTimer expiryTimer) {
        this.store = store;
        this.identity = identity;
        this.turn = turn;
        this.outbox = outbox;
        this.pusher = pusher;
        this.nodeId = nodeId;
        this.resumeWindow = resumeWindow;
        this.clock = clock;
        this.draining = draining;
        this.expiryTimer = expiryTimer;
    }

    void login(Exchange exchange) {
        if (draining.getAsBoolean()) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "the gateway is shutting down");
        }
        Params.Login login = exchange.getMessage().getBody(Params.Login.class);
        Identity user;
        try {
            user = identity.authenticate(login.token());
        } catch (AuthenticationException e) {
            throw new GatewayException(ErrorCode.UNAUTHORIZED, "login refused: " + e.getMessage());
        }
        SessionRecord session = new SessionRecord(UUID.randomUUID().toString(), newResumeToken(), user.user(),
                user.sipUri(), user.displayName(), login.device(), nodeId, clock.instant(), null);
        store.createSession(session);
        exchange.getMessage().setBody(new Results.Login(session.sessionId(), session.resumeToken(),
                new Results.Identity(user.user(), user.sipUri(), user.displayName()), turn.forUser(user.user())));
    }

    /**
     * Re-attaches a session whose socket dropped and replays what it missed. The replay and the
     * attachment happen under the session's event lock, so no event is lost or reordered between
     * the replayed ones and the live ones.
     */
    void resume(Exchange exchange) {
        Message in = exchange.getMessage();
        Params.Resume resume = in.getBody(Params.Resume.class);
        String connectionId = in.getHeader(Headers.CONNECTION_ID, String.class);
        SessionRecord session = store.sessionByResumeToken(resume.resumeToken())
                .orElseThrow(() -> new GatewayException(ErrorCode.FORBIDDEN,
                        "resumeToken: unknown, or the session ended (resume window " + resumeWindow.toSeconds() + " s)"));
        if (session.attached()) {
            throw new GatewayException(ErrorCode.FORBIDDEN, "the session is attached to another connection");
        }
        int replayed = outbox.withSessionLock(session.sessionId(), () -> {
            List<LoggedEvent> missed = store.eventsAfter(session.sessionId(), resume.lastSeq());
            if (!missed.isEmpty() && missed.get(0).seq() > resume.lastSeq() + 1) {
                throw new GatewayException(ErrorCode.FORBIDDEN, "lastSeq: events after " + resume.lastSeq()
                        + " were acknowledged or dropped; the oldest kept is " + missed.get(0).seq());
            }
            store.updateSession(session.sessionId(), s -> s.attachedTo(nodeId));
            pusher.attach(connectionId, session.sessionId());
            for (LoggedEvent event : missed) {
                pusher.push(session.sessionId(), event.frame());
            }
            return missed.size();
        });
        in.setBody(new Results.Resume(session.sessionId(), replayed));
    }

    void ack(Exchange exchange) {
        Message in = exchange.getMessage();
        store.ackEvents(in.getHeader(Headers.SESSION_ID, String.class), in.getBody(Params.Ack.class).seq());
        in.setBody(Results.Empty.INSTANCE);
    }

    /** Leaves the ids of the session's calls as the body, and the cause they end with. */
    void callsOfLoggingOutSession(Exchange exchange) {
        String sessionId = exchange.getMessage().getHeader(Headers.SESSION_ID, String.class);
        exchange.getMessage().setHeader(Headers.END_CAUSE, EndCause.byClient(sessionId, 200, "logged out"));
        exchange.getMessage().setBody(callIds(sessionId));
    }

    void logout(Exchange exchange) {
        store.removeSession(exchange.getMessage().getHeader(Headers.SESSION_ID, String.class));
        exchange.getMessage().setBody(Results.Empty.INSTANCE);
    }

    void detach(Exchange exchange) {
        String sessionId = exchange.getMessage().getBody(String.class);
        Instant now = clock.instant();
        if (store.updateSession(sessionId, s -> s.detached(now)).isPresent()) {
            expiryTimer.start(sessionId, resumeWindow);
        }
    }

    /**
     * The resume window of a detached session closed: leaves its calls as the body to end, or
     * stops the route when it was resumed in time.
     */
    void callsOfExpiredSession(Exchange exchange) {
        String sessionId = exchange.getMessage().getBody(String.class);
        Optional<SessionRecord> session = store.session(sessionId);
        if (session.isEmpty() || session.get().attached()) {
            exchange.setRouteStop(true);
            return;
        }
        exchange.getMessage().setHeader(Headers.SESSION_ID, sessionId);
        exchange.getMessage().setHeader(Headers.END_CAUSE,
                EndCause.byClient(sessionId, ErrorCode.TEMPORARILY_UNAVAILABLE.sipStatus(), "connection lost"));
        exchange.getMessage().setBody(callIds(sessionId));
    }

    void removeSession(Exchange exchange) {
        store.removeSession(exchange.getMessage().getHeader(Headers.SESSION_ID, String.class));
    }

    /** For drain: every live call, ended by the gateway. */
    void allCalls(Exchange exchange) {
        exchange.getMessage().setHeader(Headers.END_CAUSE,
                EndCause.byGateway(ErrorCode.SERVICE_UNAVAILABLE.sipStatus(), "gateway shutting down"));
        exchange.getMessage().setBody(store.calls().stream().map(CallRecord::callId).toList());
    }

    private List<String> callIds(String sessionId) {
        return store.callsOfSession(sessionId).stream().map(CallRecord::callId).toList();
    }

    private String newResumeToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
