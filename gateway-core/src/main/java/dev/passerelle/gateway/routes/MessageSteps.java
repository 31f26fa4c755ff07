package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.Event;
import dev.passerelle.gateway.signaling.Params;
import dev.passerelle.gateway.signaling.Results;
import dev.passerelle.gateway.sip.InboundMessage;
import dev.passerelle.gateway.sip.OutboundMessage;
import dev.passerelle.gateway.sip.SipService;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of {@link MessageRoutes}: chat messages and data between web users, and SIP MESSAGE
 * both ways. A destination is read as {@code call.invite} reads it, dial plan included
 * ({@link CallSteps#destination}).
 *
 * <p>What is promised: a message the gateway took ({@code message.send} answered with a
 * {@code messageId}) gets exactly one {@code message.status} in the sender session's log, and a
 * message for a web user counts as delivered once its {@code message.received} is in the log of
 * every session of that user (any node, attached or waiting for a resume). A user without a
 * session gets nothing: the sender hears 480. One exception: a node that dies while a SIP
 * MESSAGE it sent waits for its final response never reports that message's status.
 */
final class MessageSteps {
    private static final Logger log = LoggerFactory.getLogger(MessageSteps.class);

    private final SessionStore store;
    private final CallSteps calls;
    private final SipService sip;
    private final EventOutbox outbox;
    private final Clock clock;
    private final BooleanSupplier draining;
    /** Where the status of a SIP MESSAGE is logged: off the stack thread that heard the response. */
    private final Executor work;

    MessageSteps(SessionStore store, CallSteps calls, SipService sip, EventOutbox outbox, Clock clock,
            BooleanSupplier draining, Executor work) {
        this.store = store;
        this.calls = calls;
        this.sip = sip;
        this.outbox = outbox;
        this.clock = clock;
        this.draining = draining;
        this.work = work;
    }

    /**
     * {@code message.send}: to a web user, delivered at once and its status logged; to a SIP
     * destination, a MESSAGE whose outcome is logged when it comes. Refused before any id is
     * given: a destination the dial plan forbids (403), an unknown one (404), a provider's (488:
     * providers take calls only), a SIP target the gateway cannot reach (400).
     */
    void send(Exchange exchange) {
        Message in = exchange.getMessage();
        SessionRecord sender = session(in);
        Params.MessageSend message = in.getBody(Params.MessageSend.class);
        if (draining.getAsBoolean()) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "the gateway is shutting down");
        }
        CallSteps.Destination destination = calls.destination(message.to(), sender);
        if (destination.claim().isPresent()) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE,
                    "to: '" + message.to() + "' is a provider destination; providers take calls only");
        }
        String messageId = UUID.randomUUID().toString();
        if (destination.target().isWebUser()) {
            int code = deliverToUser(destination.target().webUser(), new Event.MessageReceived(messageId,
                    sender.sipUri(), message.body(), message.contentType(), clock.instant().toString()));
            status(sender.sessionId(), messageId, code);
        } else {
            String sessionId = sender.sessionId();
            sip.message(new OutboundMessage(sender.sipUri(), sender.displayName(), destination.target().sipUri(),
                    message.contentType(), message.body()))
                    .whenCompleteAsync((code, failure) -> {
                        if (failure != null) {
                            log.warn("message {} of session {}: no outcome", messageId, sessionId, failure);
                        }
                        status(sessionId, messageId, failure != null ? ErrorCode.INTERNAL_ERROR.sipStatus() : code);
                    }, work);
        }
        in.setBody(new Results.MessageSent(messageId));
    }

    /** {@code data.send}: to every session of a web user; 404 for anything else, 480 without a session. */
    void data(Exchange exchange) {
        Message in = exchange.getMessage();
        SessionRecord sender = session(in);
        Params.DataSend data = in.getBody(Params.DataSend.class);
        CallSteps.Destination destination = calls.destination(data.to(), sender);
        if (!destination.target().isWebUser()) {
            throw new GatewayException(ErrorCode.NOT_FOUND, "to: '" + data.to() + "' is not a web user; data goes "
                    + "to web users only");
        }
        String user = destination.target().webUser();
        if (deliverToUser(user, new Event.DataReceived(sender.sipUri(), data.payload())) != 200) {
            throw new GatewayException(ErrorCode.TEMPORARILY_UNAVAILABLE, "to: " + user + " has no session");
        }
        in.setBody(Results.Empty.INSTANCE);
    }

    /**
     * A SIP MESSAGE for a web user; the body the route ends with is the status to answer: 200
     * delivered, 404 not a user here, 480 no session, 503 shutting down.
     */
    void onSipMessage(Exchange exchange) {
        InboundMessage message = exchange.getMessage().getBody(InboundMessage.class);
        if (draining.getAsBoolean()) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "shutting down");
        }
        String user = message.requestUser();
        if (user == null || message.requestHost() == null || !calls.isOurHost(message.requestHost())
                || !calls.isKnownUser(user)) {
            throw new GatewayException(ErrorCode.NOT_FOUND, "no such user");
        }
        exchange.getMessage().setBody(deliverToUser(user, new Event.MessageReceived(UUID.randomUUID().toString(),
                message.from(), message.body(), message.contentType(), clock.instant().toString())));
    }

    /** 200 when the event is in the log of at least one session of the user, and of each it has; else 480. */
    private int deliverToUser(String user, Event event) {
        List<String> sessions = store.sessionsOfUser(user).stream().map(SessionRecord::sessionId).toList();
        if (sessions.isEmpty() || outbox.deliver(Delivery.to(sessions, event)) == 0) {
            return ErrorCode.TEMPORARILY_UNAVAILABLE.sipStatus();
        }
        return 200;
    }

    private void status(String sessionId, String messageId, int code) {
        String status = code >= 200 && code < 300 ? Event.MessageStatus.DELIVERED : Event.MessageStatus.FAILED;
        if (outbox.deliver(Delivery.to(sessionId, new Event.MessageStatus(messageId, status, code))) == 0) {
            log.info("message {}: session {} ended before its status ({} {})", messageId, sessionId, status, code);
        }
    }

    private SessionRecord session(Message in) {
        String sessionId = in.getHeader(Headers.SESSION_ID, String.class);
        return store.session(sessionId)
                .orElseThrow(() -> new GatewayException(ErrorCode.UNAUTHORIZED, "the session has ended"));
    }
}
