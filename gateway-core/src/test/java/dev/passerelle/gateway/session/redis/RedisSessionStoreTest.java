package dev.passerelle.gateway.session.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.CallKind;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.CallState;
import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.session.StoreStatus;
import dev.passerelle.gateway.session.SessionStoreContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RedisSessionStoreTest extends SessionStoreContract {
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    private static TestRedis redis;

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.fromEnvironmentOrEmbedded();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    /** Default settings on {@code uri} with a key prefix no other test uses. */
    static RedisStoreSettings settings(String uri) {
        return RedisStoreSettings.defaults(uri).withKeyPrefix("test-" + UUID.randomUUID() + ":");
    }

    @Override
    protected SessionStore newStore() {
        return new RedisSessionStore(settings(redis.uri()));
    }

    private static SessionRecord session(String id, String user) {
        return new SessionRecord(id, "token-" + id, user, "sip:" + user + "@example.com", null, "test", "node-a", T0,
                null);
    }

    private static CallRecord outbound(String callId, String callerSession) {
        return CallRecord.create(callId, CallKind.WEB_TO_SIP, callerSession, "sip:alice@example.com", "Alice",
                "sip:+3311111@pbx.example.com", Set.of(), T0, "node-a");
    }

    private static CallRecord inbound(String callId, Set<String> offered) {
        return CallRecord.create(callId, CallKind.SIP_TO_WEB, null, "sip:+3322222@pbx.example.com", null, "alice",
                offered, T0, "node-a");
    }

    /** A plain Lettuce connection to look at what the store wrote. */
    private static final class Raw implements AutoCloseable {
        final RedisClient client;
        final StatefulRedisConnection<String, String> connection;
        final RedisCommands<String, String> redis;

        Raw(String uri) {
            client = RedisClient.create(RedisURI.create(uri));
            connection = client.connect();
            redis = connection.sync();
        }

        Set<String> keys(String prefix) {
            Set<String> keys = new HashSet<>();
            ScanIterator.scan(redis, ScanArgs.Builder.matches(prefix + "*").limit(500)).forEachRemaining(keys::add);
            return keys;
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown();
        }
    }

    @Test
    void everyKeyTheStoreWritesHasATtl() {
        RedisStoreSettings settings = settings(redis.uri());
        String p = settings.keyPrefix();
        try (RedisSessionStore s = new RedisSessionStore(settings); Raw raw = new Raw(redis.uri())) {
            s.createSession(session("s1", "alice"));
            s.updateSession("s1", x -> x.detached(T0.plusSeconds(1)));
            s.appendEvent("s1", seq -> "e" + seq);
            s.createCall(inbound("c1", Set.of("s1", "s2")));
            s.updateCall("c1", c -> c.answeredBy("s1"));
            s.createCall(outbound("c2", "s1"));
            s.updateCall("c2", c -> c.withState(CallState.ENDED));

            Set<String> keys = raw.keys(p);

            // The layout the class comment documents, and nothing else.
            assertEquals(Set.of(p + "{s:s1}", p + "{s:s1}:log", p + "{s:s1}:calls", p + "{s:s2}:calls",
                    p + "{t:token-s1}", p + "{u:alice}", p + "{c:c1}", p + "{c:c2}", p + "{calls}"), keys);
            for (String key : keys) {
                long ttl = raw.redis.pttl(key);
                assertTrue(ttl > 0, key + " has no TTL (" + ttl + ")");
            }
            assertTrue(raw.redis.pttl(p + "{c:c2}") <= settings.tombstoneTtl().toMillis(), "tombstone TTL");
            assertTrue(raw.redis.pttl(p + "{s:s1}:log") <= settings.eventLogTtl().toMillis(), "event log TTL");
        }
    }

    @Test
    void endedCallLeavesATombstoneThatRefusesRecreationAndLateUpdates() {
        RedisStoreSettings settings = settings(redis.uri());
        try (RedisSessionStore s = new RedisSessionStore(settings); Raw raw = new Raw(redis.uri())) {
            s.createCall(outbound("c1", "s1"));
            s.updateCall("c1", c -> c.withState(CallState.ENDED));

            assertFalse(s.createCall(outbound("c1", "s1")), "a call of an ended call's id");
            assertEquals(Optional.empty(), s.updateCall("c1", c -> {
                throw new AssertionError("a late update reached an ended call");
            }));
            assertEquals(Optional.empty(), s.call("c1"));
            String key = settings.keyPrefix() + "{c:c1}";
            assertFalse(raw.redis.hexists(key, "d"), "the tombstone holds no live record");
            assertEquals("2", raw.redis.hget(key, "v"), "the tombstone keeps the version that ended the call");
        }
    }

    @Test
    void staleIndexEntriesAreSkippedAndPrunedOnlyAfterTheGrace() {
        RedisStoreSettings settings = settings(redis.uri()).withStaleIndexGrace(Duration.ofMinutes(1));
        String p = settings.keyPrefix();
        long now = System.currentTimeMillis();
        long old = now - Duration.ofMinutes(5).toMillis();
        try (RedisSessionStore s = new RedisSessionStore(settings); Raw raw = new Raw(redis.uri())) {
            s.createSession(session("s1", "bob"));
            s.createCall(outbound("c1", "s1"));
            // What a node that died between index and record (or a record's TTL) leaves behind.
            raw.redis.zadd(p + "{u:bob}", old, "expired");
            raw.redis.zadd(p + "{u:bob}", now, "being-created");
            raw.redis.zadd(p + "{calls}", old, "expired-call");
            raw.redis.zadd(p + "{s:s1}:calls", old, "expired-call");

            assertEquals(List.of("s1"), s.sessionsOfUser("bob").stream().map(SessionRecord::sessionId).toList());
            assertEquals(List.of("c1"), s.calls().stream().map(CallRecord::callId).toList());
            assertEquals(List.of("c1"), s.callsOfSession("s1").stream().map(CallRecord::callId).toList());

            assertEquals(Set.of("s1", "being-created"), Set.copyOf(raw.redis.zrange(p + "{u:bob}", 0, -1)));
            assertEquals(List.of("c1"), raw.redis.zrange(p + "{calls}", 0, -1));
            assertEquals(List.of("c1"), raw.redis.zrange(p + "{s:s1}:calls", 0, -1));
        }
    }

    @Test
    void eventLogDropsTheOldestPastItsLimitAndAckFreesRoom() {
        try (RedisSessionStore s = new RedisSessionStore(settings(redis.uri()).withEventLogLimit(3))) {
            s.createSession(session("s1", "alice"));
            for (int i = 0; i < 5; i++) {
                s.appendEvent("s1", seq -> "e" + seq);
            }
            assertEquals(List.of(new LoggedEvent(3, "e3"), new LoggedEvent(4, "e4"), new LoggedEvent(5, "e5")),
                    s.eventsAfter("s1", 0));

            s.ackEvents("s1", 4);
            s.appendEvent("s1", seq -> "e" + seq);
            s.appendEvent("s1", seq -> "e" + seq);
            assertEquals(List.of(new LoggedEvent(5, "e5"), new LoggedEvent(6, "e6"), new LoggedEvent(7, "e7")),
                    s.eventsAfter("s1", 0));
        }
    }

    @Test
    void sessionByResumeTokenNeedsTheRecordToCarryTheToken() {
        try (RedisSessionStore s = new RedisSessionStore(settings(redis.uri()))) {
            s.createSession(session("s1", "alice"));
            // A second create of s1 with another token fails, but has already indexed that token.
            SessionRecord impostor = new SessionRecord("s1", "other-token", "alice", "sip:alice@example.com", null,
                    null, "node-b", T0, null);
            assertThrows(IllegalStateException.class, () -> s.createSession(impostor));

            assertEquals(Optional.empty(), s.sessionByResumeToken("other-token"));
            assertEquals("token-s1", s.sessionByResumeToken("token-s1").orElseThrow().resumeToken());
        }
    }

    /** Two stores on one prefix stand for two nodes: only Redis orders their writes. */
    @Test
    @Timeout(60)
    void twoNodesUpdatingAndAppendingTogetherLoseNothing() throws Exception {
        RedisStoreSettings settings = settings(redis.uri());
        int perThread = 150;
        try (RedisSessionStore a = new RedisSessionStore(settings);
                RedisSessionStore b = new RedisSessionStore(settings)) {
            a.createCall(outbound("c1", "s1"));
            a.createSession(session("s1", "alice"));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Long>>> futures = new ArrayList<>();
                for (RedisSessionStore node : List.of(a, b)) {
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            node.updateCall("c1", c -> c.withState(c.state())).orElseThrow();
                        }
                        return List.<Long>of();
                    }));
                    futures.add(pool.submit(() -> {
                        List<Long> seqs = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            seqs.add(node.appendEvent("s1", seq -> "e" + seq).orElseThrow().event().seq());
                        }
                        return seqs;
                    }));
                }
                List<Long> seqs = new ArrayList<>();
                for (Future<List<Long>> f : futures) {
                    seqs.addAll(f.get(50, TimeUnit.SECONDS));
                }

                assertEquals(1 + 2 * perThread, b.call("c1").orElseThrow().version());
                List<Long> expected = LongStream.rangeClosed(1, 2L * perThread).boxed().toList();
                assertEquals(expected, seqs.stream().sorted().toList());
                assertEquals(expected, b.eventsAfter("s1", 0).stream().map(LoggedEvent::seq).toList());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Timeout(60)
    void unreachableRedisFailsFastWithServiceUnavailableAndTheStoreRecoversAfterARestart() throws Exception {
        Duration timeout = Duration.ofMillis(500);
        try (TestRedis own = TestRedis.embedded();
                RedisSessionStore s = new RedisSessionStore(settings(own.uri()).withCommandTimeout(timeout))) {
            s.createSession(session("s1", "alice"));
            assertTrue(s.status().up(), s.status().detail());

            own.stop();

            long start = System.nanoTime();
            GatewayException read = assertThrows(GatewayException.class, () -> s.session("s1"));
            GatewayException write = assertThrows(GatewayException.class, () -> s.createCall(outbound("c1", "s1")));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(ErrorCode.SERVICE_UNAVAILABLE, read.code());
            assertEquals(ErrorCode.SERVICE_UNAVAILABLE, write.code());
            assertTrue(took.compareTo(timeout.multipliedBy(2).plusMillis(500)) < 0, "two failures took " + took);
            StoreStatus down = s.status();
            assertFalse(down.up());

            own.restart();
            awaitUp(s, Duration.ofSeconds(20));

            // The restarted Redis kept nothing (no persistence): the store works on it again.
            assertEquals(Optional.empty(), s.session("s1"));
            s.createSession(session("s2", "alice"));
            assertEquals("s2", s.session("s2").orElseThrow().sessionId());
        }
    }

    /** Polls the health check until Lettuce has reconnected, failing at the deadline. */
    private static void awaitUp(RedisSessionStore s, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        StoreStatus status = s.status();
        while (!status.up()) {
            if (System.nanoTime() > deadline) {
                fail("store still down after " + within + ": " + status.detail());
            }
            TimeUnit.MILLISECONDS.sleep(50);
            status = s.status();
        }
    }

    @Test
    void clusterUriListsItsSeeds() {
        List<RedisURI> seeds = RedisLink.clusterSeeds("redis-cluster://user:secret@h1:7001,h2:7002/0", Duration.ofSeconds(1));

        assertEquals(List.of("h1:7001", "h2:7002"), seeds.stream().map(u -> u.getHost() + ":" + u.getPort()).toList());
        for (RedisURI seed : seeds) {
            RedisCredentials credentials = seed.getCredentialsProvider().resolveCredentials().block();
            assertEquals("user", credentials.getUsername());
            assertEquals("secret", new String(credentials.getPassword()));
            assertFalse(seed.isSsl());
        }
        assertTrue(RedisLink.clusterSeeds("rediss-cluster://h1:7001", Duration.ofSeconds(1)).get(0).isSsl());
        assertTrue(RedisStoreSettings.defaults("redis-cluster://h1:7001").cluster());
        assertFalse(RedisStoreSettings.defaults("redis://h1:6379").cluster());
    }

    @Test
    void aPrefixWithBracesIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> RedisStoreSettings.defaults("redis://h:1").withKeyPrefix("a{b}:"));
    }
}
