package dev.passerelle.gateway.session;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * Sessions, the user → sessions index, calls and each session's event log. The memory store
 * implements it for one node; a Redis store implements the same contract for a cluster
 * (SessionStoreContract in the tests holds both to it).
 *
 * <p>Every method is thread-safe. Updates are atomic per record: the function given to an
 * {@code update} method sees the current record and may throw to abort, leaving it unchanged.
 */
public interface SessionStore extends AutoCloseable {

    /** Stores a new session and indexes it under its user. */
    void createSession(SessionRecord session);

    Optional<SessionRecord> session(String sessionId);

    Optional<SessionRecord> sessionByResumeToken(String resumeToken);

    /** Every session of {@code user}, attached or detached. */
    List<SessionRecord> sessionsOfUser(String user);

    /** Atomically replaces a session; empty when it does not exist. */
    Optional<SessionRecord> updateSession(String sessionId, UnaryOperator<SessionRecord> change);

    /** Removes a session, its index entry and its event log. Returns what was removed. */
    Optional<SessionRecord> removeSession(String sessionId);

    /** Stores a new call; false if a call with that id exists already. */
    boolean createCall(CallRecord call);

    Optional<CallRecord> call(String callId);

    /**
     * Atomically replaces a call with {@code change(current)}, whose version must be the current
     * one plus one; a function that returns {@code current} itself leaves the call as it is. A
     * call that reaches {@link CallState#ENDED} is removed. Returns the record the function
     * returned, or empty when the call does not exist (never existed, or ended).
     *
     * @throws IllegalArgumentException when the function changes the call id or does not raise
     *     the version by exactly one
     */
    Optional<CallRecord> updateCall(String callId, UnaryOperator<CallRecord> change);

    /** The live calls a session takes part in (see {@link CallRecord#involves}). */
    List<CallRecord> callsOfSession(String sessionId);

    /** Every live call. */
    List<CallRecord> calls();

    /**
     * Appends an event to a session's log: assigns the next seq (1, 2, ...) and stores the frame
     * that {@code frameForSeq} renders for it. Returns the stored event with the session as it was
     * when the event was appended (atomically, so that a resume attaching the session to another
     * node either precedes the append and is seen, or follows it and replays the event), or empty
     * when the session does not exist (any more).
     */
    Optional<Appended> appendEvent(String sessionId, LongFunction<String> frameForSeq);

    /** The logged events with seq greater than {@code afterSeq}, in order. */
    List<LoggedEvent> eventsAfter(String sessionId, long afterSeq);

    /** Forgets the events up to and including {@code seq}. */
    void ackEvents(String sessionId, long seq);

    /** What {@code user} published last; empty when nothing is kept (never published, or cleared). */
    Optional<PresenceRecord> presence(String user);

    /** Keeps {@code presence} as what {@code user} published last, for every node to read. */
    void setPresence(String user, PresenceRecord presence);

    /** Forgets what {@code user} published (their last session ended). */
    void clearPresence(String user);

    /**
     * Adds {@code watcher} to the watchers of {@code user}'s presence; false when it was one
     * already. A watcher is the caller's opaque text (the routes put the session id first).
     */
    boolean watch(String user, String watcher);

    /** Removes {@code watcher} from the watchers of {@code user}'s presence; a no-op when it was none. */
    void unwatch(String user, String watcher);

    /** The watchers of {@code user}'s presence, whichever node added them. */
    Set<String> watchers(String user);

    /**
     * Whether the store answers now. Cheap and bounded in time (a store kept elsewhere asks it
     * once, with its command timeout); never throws.
     */
    StoreStatus status();

    @Override
    void close();
}
