package dev.passerelle.gateway.routes;

import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityUnavailableException;
import dev.passerelle.connector.spi.QosConnector;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
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
    private final QosConnector qos;
    private final EventOutbox outbox;
    private final SessionPusher pusher;
    private final Cluster cluster;
    private final String nodeId;
    private final Duration resumeWindow;
    private final Clock clock;
    private final BooleanSupplier draining;
    private final ExpiryTimer expiryTimer;
    private final SecureRandom random = new SecureRandom();

    /**
     * Schedules the end of a session whose socket dropped at {@code detachedAt},
     * {@code session.resumeWindow} later; the timer fires {@code direct:session-expired} with the
     * session id as body and {@link #DETACHED_AT} as header.
     */
    @FunctionalInterface
    interface ExpiryTimer {
        void start(String sessionId, Instant detachedAt, Duration after);
    }

    /** Header: the instant of the drop an expiry timer was started for. */
    static final String DETACHED_AT = "PasserelleDetachedAt";

    SessionSteps(SessionStore store, IdentityConnector identity, QosConnector qos, EventOutbox outbox,
            SessionPusher pusher, Cluster cluster, Duration resumeWindow, Clock clock, BooleanSupplier draining,
            ExpiryTimer expiryTimer) {
        this.store = store;
        this.identity = identity;
        this.qos = qos;
        this.outbox = outbox;
        this.pusher = pusher;
        this.cluster = cluster;
        this.nodeId = cluster.nodeId();
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
        } catch (IdentityUnavailableException e) {
            // The token may well be good: the client should try again later, not ask for another.
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, e.getMessage());
        }
        List<Results.IceServer> iceServers = qos.iceServers(user.user()).stream()
                .map(s -> new Results.IceServer(s.urls(), s.username(), s.credential()))
                .toList();
        SessionRecord session = new SessionRecord(UUID.randomUUID().toString(), newResumeToken(), user.user(),
                user.sipUri(), user.displayName(), login.device(), nodeId, clock.instant(), null,
                user.dialPlan().allow(), user.dialPlan().deny());
        store.createSession(session);
        exchange.setProperty(RegistrationSteps.IDENTITY, user);
        // Bound now, not when the result is written, so that an event logged in between is pushed.
        outbox.attach(exchange.getMessage().getHeader(Headers.CONNECTION_ID, String.class), session.sessionId(), 0);
        exchange.getMessage().setBody(new Results.Login(session.sessionId(), session.resumeToken(),
                new Results.Identity(user.user(), user.sipUri(), user.displayName()), iceServers));
    }

    /**
     * Re-attaches a session to the requesting socket, on whichever node it was before, and replays
     * what it missed. A session still attached elsewhere moves here: the resume token is the
     * session's credential, and a client resumes when it believes its old socket dead before the
     * gateway notices; the node that held it is told to let go. The session is attached here in
     * the store before the log is read, and every append reads the attachment in the same atomic
     * step (see {@link SessionStore#appendEvent}): an event is either in the replay or pushed
     * here afterwards, and the outbox drops the one that is both.
     */
    void resume(Exchange exchange) {
        if (draining.getAsBoolean()) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "the gateway is shutting down; resume on another node");
        }
        Message in = exchange.getMessage();
        Params.Resume resume = in.getBody(Params.Resume.class);
        String connectionId = in.getHeader(Headers.CONNECTION_ID, String.class);
        SessionRecord session = store.sessionByResumeToken(resume.resumeToken())
                .orElseThrow(() -> new GatewayException(ErrorCode.FORBIDDEN,
                        "resumeToken: unknown, or the session ended (resume window " + resumeWindow.toSeconds() + " s)"));
        String sessionId = session.sessionId();
        SessionRecord[] before = new SessionRecord[1];
        int replayed = outbox.withSessionLock(sessionId, () -> {
            List<LoggedEvent> missed = store.eventsAfter(sessionId, resume.lastSeq());
            if (!missed.isEmpty() && missed.get(0).seq() > resume.lastSeq() + 1) {
                throw new GatewayException(ErrorCode.FORBIDDEN, "lastSeq: events after " + resume.lastSeq()
                        + " were acknowledged or dropped; the oldest kept is " + missed.get(0).seq());
            }
            store.updateSession(sessionId, s -> {
                before[0] = s;
                return s.attachedTo(nodeId);
            }).orElseThrow(() -> new GatewayException(ErrorCode.FORBIDDEN, "resumeToken: the session just ended"));
            return outbox.attach(connectionId, sessionId, resume.lastSeq());
        });
        SessionRecord previous = before[0];
        if (previous.attached() && !cluster.isLocal(previous.nodeId()) && cluster.isAlive(previous.nodeId())) {
            cluster.moved(previous.nodeId(), sessionId);
        }
        in.setBody(new Results.Resume(sessionId, replayed));
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
        String sessionId = exchange.getMessage().getHeader(Headers.SESSION_ID, String.class);
        outbox.forget(sessionId);
        store.removeSession(sessionId);
        exchange.getMessage().setBody(Results.Empty.INSTANCE);
    }

    /**
     * A socket of this node closed. The session is detached only if this node still holds it: a
     * socket whose session was resumed on another node may close (or be noticed dead) later.
     */
    void detach(Exchange exchange) {
        String sessionId = exchange.getMessage().getBody(String.class);
        outbox.forget(sessionId);
        Instant now = clock.instant();
        boolean[] detached = new boolean[1];
        store.updateSession(sessionId, s -> {
            detached[0] = s.attached() && nodeId.equals(s.nodeId());
            return detached[0] ? s.detached(now) : s;
        });
        if (detached[0]) {
            expiryTimer.start(sessionId, now, resumeWindow);
        }
    }

    /** The session was resumed on another node: this node's socket lets go of it without detaching it. */
    void moved(String sessionId) {
        outbox.forget(sessionId);
        pusher.release(sessionId);
    }

    /**
     * The resume window of a detached session closed: leaves its calls as the body to end, or
     * stops the route when it was resumed in time.
     */
    void callsOfExpiredSession(Exchange exchange) {
        String sessionId = exchange.getMessage().getBody(String.class);
        Instant droppedAt = exchange.getMessage().getHeader(DETACHED_AT, Instant.class);
        Optional<SessionRecord> session = store.session(sessionId);
        // Only the timer of the latest drop counts: a session resumed and dropped again since has
        // a newer timer of its own.
        if (session.isEmpty() || session.get().attached() || !session.get().detachedAt().equals(droppedAt)) {
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

    /**
     * For drain: every live call this node drives, ended by the gateway. Calls driven by other
     * nodes go on; their participants whose sockets were here may resume elsewhere.
     */
    void allCalls(Exchange exchange) {
        exchange.getMessage().setHeader(Headers.END_CAUSE,
                EndCause.byGateway(ErrorCode.SERVICE_UNAVAILABLE.sipStatus(), "gateway shutting down"));
        exchange.getMessage().setBody(store.calls().stream()
                .filter(c -> cluster.isLocal(c.ownerNode()))
                .map(CallRecord::callId)
                .toList());
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
