package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.SessionStore;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every event for a session goes: first into the session's log, which gives it its seq,
 * then to the session's socket if it is attached to this node. Both happen under one lock per
 * session (striped), so that a client sees events in seq order.
 */
final class EventOutbox {
    private static final Logger log = LoggerFactory.getLogger(EventOutbox.class);
    private static final int STRIPES = 256;

    private final SessionStore store;
    private final EventEncoder encoder;
    private final SessionPusher pusher;
    private final Object[] locks = new Object[STRIPES];

    EventOutbox(SessionStore store, EventEncoder encoder, SessionPusher pusher) {
        this.store = store;
        this.encoder = encoder;
        this.pusher = pusher;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    void deliver(Delivery delivery) {
        for (String sessionId : delivery.sessionIds()) {
            withSessionLock(sessionId, () -> {
                Optional<LoggedEvent> logged =
                        store.appendEvent(sessionId, seq -> encoder.encode(delivery.event(), seq));
                if (logged.isEmpty()) {
                    log.debug("session {} is gone; {} not delivered", sessionId, delivery.event().method());
                } else if (!pusher.push(sessionId, logged.get().frame())) {
                    log.debug("session {} has no socket here; {} seq {} waits in its log", sessionId,
                            delivery.event().method(), logged.get().seq());
                }
                return null;
            });
        }
    }

    /** Runs {@code action} while no event can be appended or pushed for {@code sessionId}. */
    <T> T withSessionLock(String sessionId, Supplier<T> action) {
        synchronized (locks[Math.floorMod(sessionId.hashCode(), STRIPES)]) {
            return action.get();
        }
    }
}
