package dev.passerelle.gateway.session.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RedisSessionStore} reaches Redis and how long what it writes lives there.
 *
 * @param uri {@code redis://[user:password@]host:port[/db]} or {@code rediss://...} for one
 *     server; {@code redis-cluster://[user:password@]host:port[,host:port...]} (or
 *     {@code rediss-cluster://} for TLS) for a Redis Cluster, the hosts being seed nodes
 * @param keyPrefix put before every key, so that several deployments or tests can share one
 *     Redis; must not contain '{' or '}' (they would break the hash tags of the key layout)
 * @param commandTimeout the longest any single Redis command may take (also the connect
 *     timeout); a store call fails with SERVICE_UNAVAILABLE rather than wait longer
 * @param sessionTtl how long a session, its resume token and its user's index live after the
 *     session was last created or updated
 * @param callTtl how long a call and the call indexes live after the call was last created or
 *     updated: longer than any call lasts without an update
 * @param eventLogTtl how long a session's event log lives after its last append
 * @param tombstoneTtl how long an ended call's tombstone refuses a call of the same id and any
 *     late update of it
 * @param eventLogLimit the most unacknowledged events a session's log keeps; past it the oldest
 *     is dropped
 * @param staleIndexGrace an index entry whose record is missing is pruned on read only when it
 *     is older than this: an entry is written before its record (so that a crash between the
 *     two leaves a stale entry, never an unindexed record), and a reader must not prune the
 *     entry of a record still being written
 */
public record RedisStoreSettings(
        String uri,
        String keyPrefix,
        Duration commandTimeout,
        Duration sessionTtl,
        Duration callTtl,
        Duration eventLogTtl,
        Duration tombstoneTtl,
        int eventLogLimit,
        Duration staleIndexGrace) {

    public RedisStoreSettings {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("the Redis key prefix may not contain '{' or '}': " + keyPrefix);
        }
        positive(commandTimeout, "commandTimeout");
        positive(sessionTtl, "sessionTtl");
        positive(callTtl, "callTtl");
        positive(eventLogTtl, "eventLogTtl");
        positive(tombstoneTtl, "tombstoneTtl");
        Objects.requireNonNull(staleIndexGrace, "staleIndexGrace");
        if (eventLogLimit < 1) {
            throw new IllegalArgumentException("eventLogLimit must be at least 1: " + eventLogLimit);
        }
    }

    /**
     * Defaults for {@code uri}: prefix {@code passerelle:}, 2 s commands, sessions and calls kept
     * 12 h after their last write, event logs 1 h after their last append, tombstones 1 h, 10,000
     * events per log, index entries trusted for 30 s.
     */
    public static RedisStoreSettings defaults(String uri) {
        return new RedisStoreSettings(uri, "passerelle:", Duration.ofSeconds(2), Duration.ofHours(12),
                Duration.ofHours(12), Duration.ofHours(1), Duration.ofHours(1), 10_000, Duration.ofSeconds(30));
    }

    public RedisStoreSettings withKeyPrefix(String prefix) {
        return new RedisStoreSettings(uri, prefix, commandTimeout, sessionTtl, callTtl, eventLogTtl, tombstoneTtl,
                eventLogLimit, staleIndexGrace);
    }

    public RedisStoreSettings withCommandTimeout(Duration timeout) {
        return new RedisStoreSettings(uri, keyPrefix, timeout, sessionTtl, callTtl, eventLogTtl, tombstoneTtl,
                eventLogLimit, staleIndexGrace);
    }

    public RedisStoreSettings withEventLogLimit(int limit) {
        return new RedisStoreSettings(uri, keyPrefix, commandTimeout, sessionTtl, callTtl, eventLogTtl, tombstoneTtl,
                limit, staleIndexGrace);
    }

    public RedisStoreSettings withStaleIndexGrace(Duration grace) {
        return new RedisStoreSettings(uri, keyPrefix, commandTimeout, sessionTtl, callTtl, eventLogTtl, tombstoneTtl,
                eventLogLimit, grace);
    }

    /** Whether {@link #uri} names a Redis Cluster. */
    boolean cluster() {
        return uri.startsWith("redis-cluster://") || uri.startsWith("rediss-cluster://");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
