package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.session.Appended;
import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every event for a session goes: first into the session's log, which gives it its seq,
 * then to the session's socket, on this node or, through the bus, on the node that holds it.
 *
 * <p>The log is the truth; pushes only follow it. For each session whose socket is on this node
 * the outbox remembers the last seq pushed, and pushes in seq order only: an event that arrives
 * ahead of one it has not seen (a wake from another node overtaking a local append, a wake lost
 * with a dropped subscription) makes it read the gap from the log first, and an event already
 * pushed is skipped. So a client sees every event once, in order, wherever it was appended. All
 * of it happens under one lock per session (striped).
 */
final class EventOutbox {
    private static final Logger log = LoggerFactory.getLogger(EventOutbox.class);
    private static final int STRIPES = 256;

    private final SessionStore store;
    private final ProtocolCodec codec;
    private final SessionPusher pusher;
    private final Cluster cluster;
    private final Object[] locks = new Object[STRIPES];
    /** Sessions whose socket is on this node: the last seq pushed to it. */
    private final Map<String, Long> pushed = new ConcurrentHashMap<>();

    EventOutbox(SessionStore store, ProtocolCodec codec, SessionPusher pusher, Cluster cluster) {
        this.store = store;
        this.codec = codec;
        this.pusher = pusher;
        this.cluster = cluster;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** Returns how many of the sessions' logs took the event: the others are gone. */
    int deliver(Delivery delivery) {
        int logged = 0;
        for (String sessionId : delivery.sessionIds()) {
            logged += withSessionLock(sessionId, () -> {
                Optional<Appended> appended =
                        store.appendEvent(sessionId, seq -> codec.event(delivery.event(), seq));
                if (appended.isEmpty()) {
                    log.debug("session {} is gone; {} not delivered", sessionId, delivery.event().method());
                    return 0;
                }
                SessionRecord session = appended.get().session();
                LoggedEvent event = appended.get().event();
                if (!session.attached()) {
                    log.debug("session {} has no socket; {} seq {} waits in its log", sessionId,
                            delivery.event().method(), event.seq());
                } else if (cluster.isLocal(session.nodeId())) {
                    offer(sessionId, event);
                } else if (cluster.isAlive(session.nodeId())) {
                    cluster.wake(session.nodeId(), sessionId, event);
                } else {
                    log.debug("session {}: node {} is gone; {} seq {} waits in its log for a resume", sessionId,
                            session.nodeId(), delivery.event().method(), event.seq());
                }
                return 1;
            });
        }
        return logged;
    }

    /**
     * Pushes {@code event} to the session's socket on this node, after any event before it not
     * pushed yet; nothing when the socket is not here.
     */
    void offer(String sessionId, LoggedEvent event) {
        withSessionLock(sessionId, () -> {
            Long last = pushed.get(sessionId);
            if (last == null || event.seq() <= last) {
                return null;
            }
            List<LoggedEvent> due = event.seq() == last + 1 ? List.of(event) : store.eventsAfter(sessionId, last);
            pushInOrder(sessionId, last, due);
            return null;
        });
    }

    /**
     * Binds the session to a connection of this node and pushes every logged event after
     * {@code afterSeq}. Returns how many were pushed.
     */
    int attach(String connectionId, String sessionId, long afterSeq) {
        return withSessionLock(sessionId, () -> {
            pusher.attach(connectionId, sessionId);
            pushed.put(sessionId, afterSeq);
            return pushInOrder(sessionId, afterSeq, store.eventsAfter(sessionId, afterSeq));
        });
    }

    /** The session's socket on this node is gone (closed, logged out, moved to another node). */
    void forget(String sessionId) {
        withSessionLock(sessionId, () -> pushed.remove(sessionId));
    }

    /** Whether the session's socket is on this node. */
    boolean holds(String sessionId) {
        return pushed.containsKey(sessionId);
    }

    /** Pushes, to every socket of this node, what its log holds beyond what it was pushed. */
    void catchUp() {
        for (String sessionId : List.copyOf(pushed.keySet())) {
            withSessionLock(sessionId, () -> {
                Long last = pushed.get(sessionId);
                if (last != null) {
                    pushInOrder(sessionId, last, store.eventsAfter(sessionId, last));
                }
                return null;
            });
        }
    }

    /** Under the session's lock. Returns how many events were pushed. */
    private int pushInOrder(String sessionId, long last, List<LoggedEvent> due) {
        long done = last;
        int count = 0;
        for (LoggedEvent e : due) {
            if (e.seq() != done + 1) {
                if (e.seq() <= done) {
                    continue;
                }
                // Acknowledged or trimmed from the log before this socket saw them: the client
                // learns it from the gap in seq, as after a resume refused for the same reason.
                log.warn("session {}: events {}..{} are no longer in the log", sessionId, done + 1, e.seq() - 1);
            }
            if (!pusher.push(sessionId, e.frame())) {
                // The socket is closing or its queue is full: the client resumes from its last seq.
                break;
            }
            done = e.seq();
            count++;
        }
        if (done != last) {
            pushed.replace(sessionId, done);
        }
        return count;
    }

    /** Runs {@code action} while no event can be appended or pushed for {@code sessionId}. */
    <T> T withSessionLock(String sessionId, Supplier<T> action) {
        synchronized (locks[Math.floorMod(sessionId.hashCode(), STRIPES)]) {
            return action.get();
        }
    }
}
