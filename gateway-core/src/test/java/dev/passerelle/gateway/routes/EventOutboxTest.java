package dev.passerelle.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.memory.LocalBus;
import dev.passerelle.gateway.session.memory.MemorySessionStore;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox pushes the events of a socket on this node strictly in seq order, whatever order
 * they are offered in: an event seen twice is pushed once, and an event that arrives ahead of one
 * not seen yet brings the gap from the log first.
 */
class EventOutboxTest {

    private final MemorySessionStore store = new MemorySessionStore(100);
    private final List<String> pushed = new ArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private LocalBus bus;
    private EventOutbox outbox;

    @BeforeEach
    void setUp() {
        bus = new LocalBus("node-a", Clock.systemUTC());
        Cluster cluster = new Cluster(bus, new ProtocolCodec(32, 65536), Duration.ofSeconds(3), Clock.systemUTC(),
                Runnable::run, timers);
        SessionPusher sockets = new SessionPusher() {
            @Override
            public boolean push(String sessionId, String frame) {
                pushed.add(frame);
                return true;
            }

            @Override
            public void attach(String connectionId, String sessionId) {
                // The recording pusher has one socket for every session.
            }

            @Override
            public void release(String sessionId) {
                pushed.add("released");
            }

            @Override
            public <T> CompletionStage<T> request(String sessionId, String method, Object params, Class<T> resultType,
                    Duration timeout) {
                return CompletableFuture.failedFuture(new IllegalStateException("the outbox asks clients nothing"));
            }
        };
        outbox = new EventOutbox(store, new ProtocolCodec(32, 65536), sockets, cluster);
        store.createSession(new SessionRecord("s1", "t1", "alice", "sip:alice@example.com", "Alice", "test", "node-a",
                Instant.EPOCH, null));
    }

    @AfterEach
    void tearDown() {
        bus.close();
        timers.shutdownNow();
    }

    private LoggedEvent log(String frame) {
        return store.appendEvent("s1", seq -> frame).orElseThrow().event();
    }

    @Test
    void anEventAheadOfTheLastPushedBringsTheGapFromTheLogFirst() {
        assertEquals(0, outbox.attach("c1", "s1", 0));
        log("e1");
        log("e2");
        LoggedEvent third = log("e3");

        outbox.offer("s1", third);

        assertEquals(List.of("e1", "e2", "e3"), pushed);
    }

    @Test
    void anEventOfferedTwiceIsPushedOnce() {
        outbox.attach("c1", "s1", 0);
        LoggedEvent first = log("e1");
        LoggedEvent second = log("e2");

        outbox.offer("s1", first);
        outbox.offer("s1", second);
        outbox.offer("s1", first);
        outbox.offer("s1", second);

        assertEquals(List.of("e1", "e2"), pushed);
    }

    @Test
    void attachPushesWhatFollowsTheSeqTheClientHas() {
        log("e1");
        log("e2");
        log("e3");

        assertEquals(2, outbox.attach("c1", "s1", 1));

        assertEquals(List.of("e2", "e3"), pushed);
        assertTrue(outbox.holds("s1"));
    }

    @Test
    void nothingIsPushedForASessionWhoseSocketIsNotHere() {
        LoggedEvent first = log("e1");

        outbox.offer("s1", first);
        outbox.attach("c1", "s1", 1);
        outbox.forget("s1");
        outbox.offer("s1", log("e2"));

        assertEquals(List.of(), pushed);
        assertFalse(outbox.holds("s1"));
    }

    @Test
    void catchUpPushesWhatTheLogGotWithoutAWake() {
        outbox.attach("c1", "s1", 0);
        log("e1");
        log("e2");

        outbox.catchUp();

        assertEquals(List.of("e1", "e2"), pushed);
    }
}
