package dev.passerelle.gateway.session.memory;

import dev.passerelle.gateway.session.Appended;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.CallState;
import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.PresenceRecord;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.session.StoreStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of a single node: everything in this JVM's memory, gone with it. Each session's event
 * log keeps at most {@code eventLogLimit} unacknowledged events; past that the oldest is dropped
 * (it was already sent to the live socket) and a warning is logged.
 */
public final class MemorySessionStore implements SessionStore {
    private static final Logger log = LoggerFactory.getLogger(MemorySessionStore.class);

    private final int eventLogLimit;
    private final Map<String, SessionRecord> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> sessionByToken = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> sessionsByUser = new ConcurrentHashMap<>();
    private final Map<String, CallRecord> calls = new ConcurrentHashMap<>();
    private final Map<String, EventLog> logs = new ConcurrentHashMap<>();
    private final Map<String, PresenceRecord> presence = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> watchers = new ConcurrentHashMap<>();

    public MemorySessionStore(int eventLogLimit) {
        this.eventLogLimit = eventLogLimit;
    }

    @Override
    public void createSession(SessionRecord session) {
        if (sessions.putIfAbsent(session.sessionId(), session) != null) {
            throw new IllegalStateException("session " + session.sessionId() + " exists already");
        }
        sessionByToken.put(session.resumeToken(), session.sessionId());
        // Added inside compute, not after computeIfAbsent: removeSession drops a user's emptied set
        // under the same key lock, and an add to a set already dropped would be lost.
        sessionsByUser.compute(session.user(), (u, ids) -> {
            Set<String> set = ids == null ? ConcurrentHashMap.newKeySet() : ids;
            set.add(session.sessionId());
            return set;
        });
        logs.put(session.sessionId(), new EventLog());
    }

    @Override
    public Optional<SessionRecord> session(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    @Override
    public Optional<SessionRecord> sessionByResumeToken(String resumeToken) {
        String id = sessionByToken.get(resumeToken);
        return id == null ? Optional.empty() : session(id);
    }

    @Override
    public List<SessionRecord> sessionsOfUser(String user) {
        Set<String> ids = sessionsByUser.getOrDefault(user, Set.of());
        List<SessionRecord> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            SessionRecord s = sessions.get(id);
            if (s != null) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(SessionRecord::createdAt));
        return out;
    }

    @Override
    public Optional<SessionRecord> updateSession(String sessionId, UnaryOperator<SessionRecord> change) {
        return Optional.ofNullable(sessions.computeIfPresent(sessionId, (id, current) -> {
            SessionRecord next = change.apply(current);
            if (!next.sessionId().equals(id) || !next.resumeToken().equals(current.resumeToken())
                    || !next.user().equals(current.user())) {
                throw new IllegalArgumentException("a session update may not change its id, token or user");
            }
            return next;
        }));
    }

    @Override
    public Optional<SessionRecord> removeSession(String sessionId) {
        SessionRecord removed = sessions.remove(sessionId);
        if (removed != null) {
            sessionByToken.remove(removed.resumeToken());
            sessionsByUser.computeIfPresent(removed.user(), (u, ids) -> {
                ids.remove(sessionId);
                return ids.isEmpty() ? null : ids;
            });
            logs.remove(sessionId);
        }
        return Optional.ofNullable(removed);
    }

    @Override
    public boolean createCall(CallRecord call) {
        if (call.state() == CallState.ENDED) {
            throw new IllegalArgumentException("a call cannot be created ended");
        }
        return calls.putIfAbsent(call.callId(), call) == null;
    }

    @Override
    public Optional<CallRecord> call(String callId) {
        return Optional.ofNullable(calls.get(callId));
    }

    @Override
    public Optional<CallRecord> updateCall(String callId, UnaryOperator<CallRecord> change) {
        CallRecord[] result = new CallRecord[1];
        calls.computeIfPresent(callId, (id, current) -> {
            CallRecord next = change.apply(current);
            result[0] = next;
            if (next == current) {
                return current;
            }
            if (next.version() != current.version() + 1 || !next.callId().equals(id)) {
                throw new IllegalArgumentException("call " + id + ": an update must keep the id and raise the version by one");
            }
            return next.state() == CallState.ENDED ? null : next;
        });
        return Optional.ofNullable(result[0]);
    }

    @Override
    public List<CallRecord> callsOfSession(String sessionId) {
        return calls.values().stream().filter(c -> c.involves(sessionId)).toList();
    }

    @Override
    public List<CallRecord> calls() {
        return List.copyOf(calls.values());
    }

    @Override
    public Optional<Appended> appendEvent(String sessionId, LongFunction<String> frameForSeq) {
        EventLog eventLog = logs.get(sessionId);
        if (eventLog == null) {
            return Optional.empty();
        }
        LoggedEvent event = eventLog.append(sessionId, frameForSeq);
        // Read after the append: a resume that attached the session elsewhere before it is seen.
        return Optional.ofNullable(sessions.get(sessionId)).map(session -> new Appended(event, session));
    }

    @Override
    public List<LoggedEvent> eventsAfter(String sessionId, long afterSeq) {
        EventLog eventLog = logs.get(sessionId);
        return eventLog == null ? List.of() : eventLog.after(afterSeq);
    }

    @Override
    public void ackEvents(String sessionId, long seq) {
        EventLog eventLog = logs.get(sessionId);
        if (eventLog != null) {
            eventLog.ack(seq);
        }
    }

    @Override
    public void close() {
        sessions.clear();
        sessionByToken.clear();
        sessionsByUser.clear();
        calls.clear();
        logs.clear();
    }

    /** One session's events; its lock orders seq assignment with the append. */
    private final class EventLog {
        private final ArrayDeque<LoggedEvent> events = new ArrayDeque<>();
        private long lastSeq;

        synchronized LoggedEvent append(String sessionId, LongFunction<String> frameForSeq) {
            LoggedEvent event = new LoggedEvent(lastSeq + 1, frameForSeq.apply(lastSeq + 1));
            lastSeq = event.seq();
            events.addLast(event);
            if (events.size() > eventLogLimit) {
                LoggedEvent dropped = events.removeFirst();
                log.warn("session {}: event log full ({} unacknowledged events); seq {} can no longer be replayed",
                        sessionId, eventLogLimit, dropped.seq());
            }
            return event;
        }

        synchronized List<LoggedEvent> after(long afterSeq) {
            return events.stream().filter(e -> e.seq() > afterSeq).toList();
        }

        synchronized void ack(long seq) {
            while (!events.isEmpty() && events.peekFirst().seq() <= seq) {
                events.removeFirst();
            }
        }
    }

    /** Always up: the data is in this JVM. */
    @Override
    public Optional<PresenceRecord> presence(String user) {
        return Optional.ofNullable(presence.get(user));
    }

    @Override
    public void setPresence(String user, PresenceRecord published) {
        presence.put(user, published);
    }

    @Override
    public void clearPresence(String user) {
        presence.remove(user);
    }

    @Override
    public boolean watch(String user, String watcher) {
        boolean[] added = new boolean[1];
        // Inside compute, as for sessionsByUser: unwatch drops an emptied set under the same key lock.
        watchers.compute(user, (u, ids) -> {
            Set<String> set = ids == null ? ConcurrentHashMap.newKeySet() : ids;
            added[0] = set.add(watcher);
            return set;
        });
        return added[0];
    }

    @Override
    public void unwatch(String user, String watcher) {
        watchers.computeIfPresent(user, (u, ids) -> {
            ids.remove(watcher);
            return ids.isEmpty() ? null : ids;
        });
    }

    @Override
    public Set<String> watchers(String user) {
        Set<String> ids = watchers.get(user);
        return ids == null ? Set.of() : Set.copyOf(ids);
    }

    @Override
    public StoreStatus status() {
        return new StoreStatus(true, "in memory (this node only)");
    }
}
