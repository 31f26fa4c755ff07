package dev.passerelle.gateway.session.redis;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.Appended;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.CallState;
import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.NodeBus;
import dev.passerelle.gateway.session.PresenceRecord;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.session.StoreStatus;
import dev.passerelle.gateway.session.redis.RedisLink.Script;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store shared by every node of a cluster: sessions, calls and event logs in Redis (one server
 * or a Redis Cluster), through Lettuce.
 *
 * <h2>Key layout</h2>
 * With {@code P} the key prefix; the part in braces is the Redis Cluster hash tag, so the keys of
 * one session share a slot and a script may touch them together:
 * <pre>
 * P{s:&lt;sessionId&gt;}        hash  v = store version, d = SessionRecord JSON, seq = last event seq,
 *                           w / aw = id of the last write / append
 * P{s:&lt;sessionId&gt;}:log    zset  score = seq, member = "&lt;seq&gt;:&lt;frame&gt;"
 * P{s:&lt;sessionId&gt;}:calls  zset  ids of the calls the session takes part in, score = indexed at (ms)
 * P{t:&lt;resumeToken&gt;}      string the session id
 * P{u:&lt;user&gt;}             zset  the user's session ids, score = indexed at (ms)
 * P{c:&lt;callId&gt;}           hash  v = CallRecord.version, d = CallRecord JSON, w = last write id;
 *                           after ENDED a tombstone: v and ended = the final JSON, no d
 * P{calls}                 zset  every live call id, score = indexed at (ms)
 * P{u:&lt;user&gt;}:presence    hash  s = published status, n = note (absent when none)
 * P{u:&lt;user&gt;}:watchers    set   the watchers of the user's presence ("&lt;sessionId&gt; &lt;to as named&gt;")
 * </pre>
 * The two presence keys live {@link RedisStoreSettings#sessionTtl()}, renewed by each publish and
 * each watch; a watcher whose session is gone is the reader's to skip and remove.
 *
 * <h2>Promises</h2>
 * <ul>
 *   <li><b>Every key has a TTL</b>, renewed by the writes that keep it alive: a session, its token
 *   and its user's index by {@link #createSession} and {@link #updateSession}
 *   ({@code updateSession(id, s -> s)} renews them, for a session that outlives
 *   {@link RedisStoreSettings#sessionTtl()} without another change); a log by each append; a call
 *   and the call indexes by each create or update; a tombstone lives
 *   {@link RedisStoreSettings#tombstoneTtl()}.</li>
 *   <li><b>Atomic per record</b>, across nodes: each record's hash carries a version; an update
 *   reads the record, applies the function in Java and writes with a compare-and-set script on
 *   that version, retrying (a bounded number of times) when another writer came first. The
 *   functions given to {@link #updateSession}, {@link #updateCall} and {@link #appendEvent} may
 *   therefore run more than once and must have no side effects. Within one node, writers of the
 *   same record take a lock first, so they do not spend round trips on conflicts.</li>
 *   <li><b>Idempotent on replay</b>: Lettuce re-sends a command that was in flight when the
 *   connection dropped. Each scripted write stores a write id (field {@code w}, {@code aw} for
 *   the last append) unique to that call: a create, compare-and-set or append that runs a second
 *   time finds its own id and reports the success it had, while a rival write of the same content
 *   from another node is still refused. The other writes (SET, ZADD, ZREM, PEXPIRE,
 *   delete-if-equal) are idempotent as they are. A replayed append that another node's append
 *   overtook is reported as a conflict and appended again: the client may then see that one event
 *   twice, never a gap.</li>
 *   <li><b>Ended calls leave a tombstone</b>: a call that reaches ENDED becomes a tombstone, so
 *   {@link #createCall} of its id returns false and a late update finds nothing, until the
 *   tombstone expires.</li>
 *   <li><b>Indexes, not SCAN</b>: {@link #sessionsOfUser}, {@link #callsOfSession} and
 *   {@link #calls} read index sets. An index entry is written before its record and removed after
 *   it (separate commands, as they live in other slots), so a node that dies in between leaves a
 *   stale entry, never an unindexed record; a reader skips entries whose record is gone and
 *   prunes those older than {@link RedisStoreSettings#staleIndexGrace()}.</li>
 *   <li><b>Fails fast</b>: while Redis is unreachable every method throws
 *   {@link GatewayException} with {@link ErrorCode#SERVICE_UNAVAILABLE} within the command
 *   timeout; Lettuce reconnects by itself and {@link #status()} reports the state.</li>
 * </ul>
 */
public final class RedisSessionStore implements SessionStore {
    private static final Logger log = LoggerFactory.getLogger(RedisSessionStore.class);

    /** Compare-and-set attempts before an update gives up; only writers on other nodes cause retries. */
    private static final int MAX_ATTEMPTS = 64;
    private static final int LOCK_STRIPES = 64;

    /**
     * KEYS: session, log. ARGV: json, ttl ms, write id. 1 created (or this very create replayed),
     * 0 exists.
     */
    private static final Script CREATE_SESSION = Script.of("""
            if redis.call('HEXISTS', KEYS[1], 'd') == 1 then
              if redis.call('HGET', KEYS[1], 'w') == ARGV[3] then return 1 end
              return 0
            end
            redis.call('DEL', KEYS[1], KEYS[2])
            redis.call('HSET', KEYS[1], 'v', 1, 'd', ARGV[1], 'seq', 0, 'w', ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
            """);

    /** KEYS: call. ARGV: json, ttl ms, write id. 1 created (or replayed), 0 a call or tombstone exists. */
    private static final Script CREATE_CALL = Script.of("""
            if redis.call('EXISTS', KEYS[1]) == 1 then
              if redis.call('HGET', KEYS[1], 'w') == ARGV[3] then return 1 end
              return 0
            end
            redis.call('HSET', KEYS[1], 'v', 1, 'd', ARGV[1], 'w', ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
            """);

    /**
     * KEYS: record. ARGV: expected version, new json, ttl ms, '1' to leave a tombstone instead,
     * tombstone ttl ms, write id. 1 written (or this very write replayed), 0 another version is
     * there, -1 no live record.
     */
    private static final Script REPLACE = Script.of("""
            local v = redis.call('HGET', KEYS[1], 'v')
            if not v then return -1 end
            local d = redis.call('HGET', KEYS[1], 'd')
            local expected = tonumber(ARGV[1])
            if d and tonumber(v) == expected then
              if ARGV[4] == '1' then
                redis.call('HDEL', KEYS[1], 'd')
                redis.call('HSET', KEYS[1], 'v', expected + 1, 'ended', ARGV[2], 'w', ARGV[6])
                redis.call('PEXPIRE', KEYS[1], ARGV[5])
              else
                redis.call('HSET', KEYS[1], 'v', expected + 1, 'd', ARGV[2], 'w', ARGV[6])
                redis.call('PEXPIRE', KEYS[1], ARGV[3])
              end
              return 1
            end
            if tonumber(v) == expected + 1 and redis.call('HGET', KEYS[1], 'w') == ARGV[6] then return 1 end
            if not d then return -1 end
            return 0
            """);

    /**
     * KEYS: session, log. ARGV: seq wanted, member, log ttl ms, log limit, write id. {1, events
     * dropped, session JSON} appended (or this very append replayed), {0, current seq} another
     * append took that seq, {-1, 0} no session. The session is read in the same step, so the
     * caller learns which node holds its socket as of this append.
     */
    private static final Script APPEND = Script.of("""
            local cur = redis.call('HGET', KEYS[1], 'seq')
            if not cur then return {-1, 0} end
            cur = tonumber(cur)
            local want = tonumber(ARGV[1])
            if cur == want - 1 then
              redis.call('HSET', KEYS[1], 'seq', want, 'aw', ARGV[5])
              redis.call('ZADD', KEYS[2], want, ARGV[2])
              local dropped = redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
              redis.call('PEXPIRE', KEYS[2], ARGV[3])
              return {1, dropped, redis.call('HGET', KEYS[1], 'd')}
            end
            if cur == want and redis.call('HGET', KEYS[1], 'aw') == ARGV[5] then
              return {1, 0, redis.call('HGET', KEYS[1], 'd')}
            end
            return {0, cur}
            """);

    /** KEYS: session, log. The session's JSON, its hash and log deleted; nil when there is none. */
    private static final Script REMOVE_SESSION = Script.of("""
            local d = redis.call('HGET', KEYS[1], 'd')
            if not d then return false end
            redis.call('DEL', KEYS[1], KEYS[2])
            return d
            """);

    /** KEYS: presence. ARGV: ttl ms, status, note (empty for none). Replaces the hash as a whole. */
    private static final Script SET_PRESENCE = Script.of("""
            redis.call('DEL', KEYS[1])
            if ARGV[3] == '' then
              redis.call('HSET', KEYS[1], 's', ARGV[2])
            else
              redis.call('HSET', KEYS[1], 's', ARGV[2], 'n', ARGV[3])
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return 1
            """);

    /** KEYS: key. ARGV: value. Deletes the key only while it still holds that value. */
    private static final Script DELETE_IF_EQUAL = Script.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """);

    private final RedisStoreSettings settings;
    private final RedisLink redis;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final RecordJson json = new RecordJson();
    private final Clock clock;
    private final ReentrantLock[] stripes = new ReentrantLock[LOCK_STRIPES];
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Write ids: this store's random prefix and a counter, unique across nodes and restarts. */
    private final String writerId = UUID.randomUUID().toString();
    private final AtomicLong writes = new AtomicLong();

    /**
     * Connects to Redis; the store owns the connection and its client resources until
     * {@link #close()}.
     *
     * @throws GatewayException SERVICE_UNAVAILABLE when Redis cannot be reached within the
     *     command timeout
     */
    public RedisSessionStore(RedisStoreSettings settings) {
        this(settings, Clock.systemUTC());
    }

    RedisSessionStore(RedisStoreSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = clock;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
        this.redis = new RedisLink(settings);
        this.commands = redis.commands();
        log.info("session store on {}", redis.description());
    }

    /** One PING, bounded by the command timeout: cheap enough for a health endpoint. */
    // ---- presence

    private String presenceKey(String user) {
        return userKey(user) + ":presence";
    }

    private String watchersKey(String user) {
        return userKey(user) + ":watchers";
    }

    @Override
    public Optional<PresenceRecord> presence(String user) {
        java.util.Map<String, String> h = redis.await(commands.hgetall(presenceKey(user)));
        if (h == null || h.get("s") == null) {
            return Optional.empty();
        }
        return Optional.of(new PresenceRecord(h.get("s"), h.get("n")));
    }

    @Override
    public void setPresence(String user, PresenceRecord published) {
        redis.run(SET_PRESENCE, ScriptOutputType.INTEGER, keys(presenceKey(user)), millis(settings.sessionTtl()),
                published.status(), published.note() == null ? "" : published.note());
    }

    @Override
    public void clearPresence(String user) {
        redis.await(commands.del(presenceKey(user)));
    }

    @Override
    public boolean watch(String user, String watcher) {
        RedisFuture<Long> added = commands.sadd(watchersKey(user), watcher);
        redis.awaitAll(List.of(added, commands.pexpire(watchersKey(user), settings.sessionTtl().toMillis())));
        return redis.await(added) == 1;
    }

    @Override
    public void unwatch(String user, String watcher) {
        redis.await(commands.srem(watchersKey(user), watcher));
    }

    @Override
    public Set<String> watchers(String user) {
        return Set.copyOf(redis.await(commands.smembers(watchersKey(user))));
    }

    @Override
    public StoreStatus status() {
        try {
            String pong = redis.await(commands.ping());
            return new StoreStatus("PONG".equals(pong), redis.description() + " answered " + pong);
        } catch (GatewayException e) {
            return new StoreStatus(false, e.getMessage());
        }
    }

    // ---- keys

    private String sessionKey(String sessionId) {
        return settings.keyPrefix() + "{s:" + sessionId + "}";
    }

    private String logKey(String sessionId) {
        return sessionKey(sessionId) + ":log";
    }

    private String sessionCallsKey(String sessionId) {
        return sessionKey(sessionId) + ":calls";
    }

    private String tokenKey(String token) {
        return settings.keyPrefix() + "{t:" + token + "}";
    }

    private String userKey(String user) {
        return settings.keyPrefix() + "{u:" + user + "}";
    }

    private String callKey(String callId) {
        return settings.keyPrefix() + "{c:" + callId + "}";
    }

    private String callsKey() {
        return settings.keyPrefix() + "{calls}";
    }

    private static String[] keys(String... keys) {
        return keys;
    }

    private static String millis(Duration d) {
        return Long.toString(d.toMillis());
    }

    private ReentrantLock lockFor(String key) {
        return stripes[Math.floorMod(key.hashCode(), stripes.length)];
    }

    // ---- sessions

    @Override
    public void createSession(SessionRecord session) {
        String sessionId = session.sessionId();
        long ttl = settings.sessionTtl().toMillis();
        // Token and user index first: a crash before the record leaves entries that point nowhere.
        redis.awaitAll(List.of(
                commands.set(tokenKey(session.resumeToken()), sessionId, SetArgs.Builder.px(ttl)),
                commands.zadd(userKey(session.user()), now(), sessionId),
                commands.pexpire(userKey(session.user()), ttl)));
        Long created = redis.run(CREATE_SESSION, ScriptOutputType.INTEGER,
                keys(sessionKey(sessionId), logKey(sessionId)), json.write(session), Long.toString(ttl), writeId());
        if (created != 1) {
            throw new IllegalStateException("session " + sessionId + " exists already");
        }
    }

    @Override
    public Optional<SessionRecord> session(String sessionId) {
        String d = redis.await(commands.hget(sessionKey(sessionId), "d"));
        return d == null ? Optional.empty() : Optional.of(json.session(d));
    }

    @Override
    public Optional<SessionRecord> sessionByResumeToken(String resumeToken) {
        String sessionId = redis.await(commands.get(tokenKey(resumeToken)));
        if (sessionId == null) {
            return Optional.empty();
        }
        // The token key is only an index: the record itself must carry the token.
        return session(sessionId).filter(s -> s.resumeToken().equals(resumeToken));
    }

    @Override
    public List<SessionRecord> sessionsOfUser(String user) {
        List<SessionRecord> out = readIndexed(userKey(user), id -> commands.hget(sessionKey(id), "d"), json::session);
        return out.stream()
                .filter(s -> s.user().equals(user))
                .sorted(Comparator.comparing(SessionRecord::createdAt))
                .toList();
    }

    @Override
    public Optional<SessionRecord> updateSession(String sessionId, UnaryOperator<SessionRecord> change) {
        return update(sessionKey(sessionId), "session " + sessionId, d -> {
            SessionRecord before = json.session(d);
            SessionRecord next = change.apply(before);
            if (!next.sessionId().equals(sessionId) || !next.resumeToken().equals(before.resumeToken())
                    || !next.user().equals(before.user())) {
                throw new IllegalArgumentException("a session update may not change its id, token or user");
            }
            return new Update<>(next, json.write(next), settings.sessionTtl(), false, NOTHING, () -> {
                long ttl = settings.sessionTtl().toMillis();
                redis.awaitAll(List.of(
                        commands.pexpire(tokenKey(next.resumeToken()), ttl),
                        commands.pexpire(userKey(next.user()), ttl)));
            });
        });
    }

    @Override
    public Optional<SessionRecord> removeSession(String sessionId) {
        String d = redis.run(REMOVE_SESSION, ScriptOutputType.VALUE, keys(sessionKey(sessionId), logKey(sessionId)));
        if (d == null) {
            return Optional.empty();
        }
        SessionRecord removed = json.session(d);
        // Indexes after the record: a crash in between leaves entries a reader skips and prunes.
        RedisFuture<Long> unlisted = commands.zrem(userKey(removed.user()), sessionId);
        redis.run(DELETE_IF_EQUAL, ScriptOutputType.INTEGER, keys(tokenKey(removed.resumeToken())), sessionId);
        redis.await(unlisted);
        return Optional.of(removed);
    }

    // ---- calls

    @Override
    public boolean createCall(CallRecord call) {
        if (call.state() == CallState.ENDED) {
            throw new IllegalArgumentException("a call cannot be created ended");
        }
        index(call);
        Long created = redis.run(CREATE_CALL, ScriptOutputType.INTEGER, keys(callKey(call.callId())), json.write(call),
                millis(settings.callTtl()), writeId());
        return created == 1;
    }

    @Override
    public Optional<CallRecord> call(String callId) {
        String d = redis.await(commands.hget(callKey(callId), "d"));
        return d == null ? Optional.empty() : Optional.of(json.call(d));
    }

    @Override
    public Optional<CallRecord> updateCall(String callId, UnaryOperator<CallRecord> change) {
        return update(callKey(callId), "call " + callId, d -> {
            CallRecord before = json.call(d);
            CallRecord next = change.apply(before);
            if (next == before) {
                return Update.unchanged(before);
            }
            if (next.version() != before.version() + 1 || !next.callId().equals(callId)) {
                throw new IllegalArgumentException(
                        "call " + callId + ": an update must keep the id and raise the version by one");
            }
            boolean ends = next.state() == CallState.ENDED;
            // Index entries before the record, removals after it: a crash leaves only stale entries.
            return ends
                    ? new Update<>(next, json.write(next), settings.callTtl(), true, NOTHING,
                            () -> unindex(callId, before, next))
                    : new Update<>(next, json.write(next), settings.callTtl(), false, () -> index(next), NOTHING);
        });
    }

    private static final Runnable NOTHING = () -> { };

    /**
     * What one update attempt writes: {@code json} (null: nothing, the record stays as it is and
     * {@code result} is returned) with its TTL, whether it ends the record (tombstone), and what
     * must run just before and just after the compare-and-set succeeds.
     */
    private record Update<T>(T result, String json, Duration ttl, boolean ends, Runnable beforeWrite,
            Runnable afterWrite) {
        static <T> Update<T> unchanged(T result) {
            return new Update<>(result, null, null, false, NOTHING, NOTHING);
        }
    }

    /**
     * The read → change → compare-and-set loop of every record, under this node's lock of the key
     * (so that the node's own threads do not make each other retry); a write that lost to another
     * node is planned again from what that node wrote. {@code plan} may run more than once, so it
     * must have no side effects; it may throw to abort.
     */
    private <T> Optional<T> update(String key, String what, Function<String, Update<T>> plan) {
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Versioned current = versioned(key);
                if (current == null) {
                    return Optional.empty();
                }
                Update<T> u = plan.apply(current.json());
                if (u.json() == null) {
                    return Optional.of(u.result());
                }
                u.beforeWrite().run();
                long result = replace(key, current.version(), u.json(), u.ttl(), u.ends());
                if (result == 1) {
                    u.afterWrite().run();
                    return Optional.of(u.result());
                }
                if (result == -1) {
                    return Optional.empty();
                }
            }
            throw contended(what);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<CallRecord> callsOfSession(String sessionId) {
        return readIndexed(sessionCallsKey(sessionId), id -> commands.hget(callKey(id), "d"), json::call).stream()
                .filter(c -> c.involves(sessionId))
                .toList();
    }

    @Override
    public List<CallRecord> calls() {
        return readIndexed(callsKey(), id -> commands.hget(callKey(id), "d"), json::call);
    }

    /** Every session a call names: the indexes a call is listed in. */
    private static Set<String> sessionsNamed(CallRecord call) {
        Set<String> ids = new LinkedHashSet<>(call.offeredSessions());
        if (call.callerSession() != null) {
            ids.add(call.callerSession());
        }
        if (call.answeredSession() != null) {
            ids.add(call.answeredSession());
        }
        return ids;
    }

    /** Lists (or re-lists, renewing the TTLs) a call in the global index and its sessions' indexes. */
    private void index(CallRecord call) {
        long now = now();
        long ttl = settings.callTtl().toMillis();
        List<RedisFuture<?>> writes = new ArrayList<>();
        writes.add(commands.zadd(callsKey(), now, call.callId()));
        writes.add(commands.pexpire(callsKey(), ttl));
        for (String sessionId : sessionsNamed(call)) {
            writes.add(commands.zadd(sessionCallsKey(sessionId), now, call.callId()));
            writes.add(commands.pexpire(sessionCallsKey(sessionId), ttl));
        }
        redis.awaitAll(writes);
    }

    private void unindex(String callId, CallRecord before, CallRecord last) {
        Set<String> sessions = sessionsNamed(before);
        sessions.addAll(sessionsNamed(last));
        List<RedisFuture<?>> writes = new ArrayList<>();
        writes.add(commands.zrem(callsKey(), callId));
        for (String sessionId : sessions) {
            writes.add(commands.zrem(sessionCallsKey(sessionId), callId));
        }
        redis.awaitAll(writes);
    }

    // ---- event log

    @Override
    public Optional<Appended> appendEvent(String sessionId, LongFunction<String> frameForSeq) {
        String key = sessionKey(sessionId);
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            String last = redis.await(commands.hget(key, "seq"));
            if (last == null) {
                return Optional.empty();
            }
            long seq = Long.parseLong(last) + 1;
            String writeId = writeId();
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                String frame = frameForSeq.apply(seq);
                List<Object> result = redis.run(APPEND, ScriptOutputType.MULTI, keys(key, logKey(sessionId)),
                        Long.toString(seq), seq + ":" + frame, millis(settings.eventLogTtl()),
                        Integer.toString(settings.eventLogLimit()), writeId);
                long status = (Long) result.get(0);
                long detail = (Long) result.get(1);
                if (status == 1) {
                    if (detail > 0) {
                        log.warn("session {}: event log full ({} unacknowledged events); {} older event(s) can no "
                                + "longer be replayed", sessionId, settings.eventLogLimit(), detail);
                    }
                    return Optional.of(new Appended(new LoggedEvent(seq, frame), json.session((String) result.get(2))));
                }
                if (status == -1) {
                    return Optional.empty();
                }
                seq = detail + 1;
            }
            throw contended("event log of session " + sessionId);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<LoggedEvent> eventsAfter(String sessionId, long afterSeq) {
        List<String> members = redis.await(commands.zrangebyscore(logKey(sessionId),
                Range.from(Range.Boundary.excluding(afterSeq), Range.Boundary.unbounded())));
        List<LoggedEvent> events = new ArrayList<>(members.size());
        for (String member : members) {
            int colon = member.indexOf(':');
            events.add(new LoggedEvent(Long.parseLong(member.substring(0, colon)), member.substring(colon + 1)));
        }
        return events;
    }

    @Override
    public void ackEvents(String sessionId, long seq) {
        redis.await(commands.zremrangebyscore(logKey(sessionId),
                Range.from(Range.Boundary.unbounded(), Range.Boundary.including(seq))));
    }

    /**
     * The bus of the cluster this store is shared by, on the same Lettuce client and resources;
     * {@code nodeId} beats every {@code heartbeat}. Close the bus before the store.
     */
    public NodeBus bus(String nodeId, Duration heartbeat) {
        return new RedisNodeBus(redis, settings.keyPrefix(), nodeId, heartbeat, clock);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            redis.close();
        }
    }

    // ---- helpers

    /**
     * A fresh id for one write, stored with it: a script that finds its own id already there
     * knows it is a replay of a write that succeeded, not a rival write of the same content.
     */
    private String writeId() {
        return writerId + ":" + writes.incrementAndGet();
    }

    private long now() {
        return clock.millis();
    }

    /** A record's hash: its version and JSON, or null when there is no live record. */
    private record Versioned(long version, String json) {}

    private Versioned versioned(String key) {
        List<KeyValue<String, String>> fields = redis.await(commands.hmget(key, "v", "d"));
        if (fields.size() < 2 || !fields.get(0).hasValue() || !fields.get(1).hasValue()) {
            return null;
        }
        return new Versioned(Long.parseLong(fields.get(0).getValue()), fields.get(1).getValue());
    }

    private long replace(String key, long expectedVersion, String json, Duration ttl, boolean tombstone) {
        Long result = redis.run(REPLACE, ScriptOutputType.INTEGER, keys(key), Long.toString(expectedVersion), json,
                millis(ttl), tombstone ? "1" : "0", millis(settings.tombstoneTtl()), writeId());
        return result;
    }

    /**
     * The records an index lists, in index order, fetched together. Entries whose record is gone
     * are skipped, and removed when older than the grace period (see the class comment).
     */
    private <T> List<T> readIndexed(String indexKey, Function<String, RedisFuture<String>> fetch,
            Function<String, T> decode) {
        List<ScoredValue<String>> entries = redis.await(commands.zrangeWithScores(indexKey, 0, -1));
        List<RedisFuture<String>> fetches = new ArrayList<>(entries.size());
        for (ScoredValue<String> entry : entries) {
            fetches.add(fetch.apply(entry.getValue()));
        }
        List<T> out = new ArrayList<>(entries.size());
        List<String> stale = new ArrayList<>();
        long staleBefore = now() - settings.staleIndexGrace().toMillis();
        for (int i = 0; i < entries.size(); i++) {
            String d = redis.await(fetches.get(i));
            if (d != null) {
                out.add(decode.apply(d));
            } else if (entries.get(i).getScore() < staleBefore) {
                stale.add(entries.get(i).getValue());
            }
        }
        if (!stale.isEmpty()) {
            redis.await(commands.zrem(indexKey, stale.toArray(String[]::new)));
        }
        return out;
    }

    private static GatewayException contended(String what) {
        return new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                what + " kept changing under " + MAX_ATTEMPTS + " attempts to update it");
    }
}
