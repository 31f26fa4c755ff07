package dev.passerelle.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link SessionStore} must do, whatever keeps the data. A store's test extends this
 * class and supplies a fresh, empty store; it may add tests of its own limits. Only the interface
 * is used here, so a store kept elsewhere (Redis) is held to exactly the same rules.
 */
public abstract class SessionStoreContract {

    /** How long a concurrency test may wait for its threads before it counts as hung. */
    private static final long WAIT_SECONDS = 30;

    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    protected SessionStore store;

    /**
     * A new, empty store. Each test gets its own and closes it; its event log must hold at least
     * the 2,000 events the concurrency test appends to one session.
     */
    protected abstract SessionStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void presenceIsTheLastPublishUntilCleared() {
        assertEquals(Optional.empty(), store.presence("alice"));
        store.setPresence("alice", new PresenceRecord("busy", "in a meeting"));
        store.setPresence("alice", new PresenceRecord("away", null));
        assertEquals(Optional.of(new PresenceRecord("away", null)), store.presence("alice"));
        store.setPresence("alice", new PresenceRecord("available", "back"));
        assertEquals(Optional.of(new PresenceRecord("available", "back")), store.presence("alice"));
        assertEquals(Optional.empty(), store.presence("bob"));
        store.clearPresence("alice");
        assertEquals(Optional.empty(), store.presence("alice"));
    }

    @Test
    void watchersAreASetPerUser() {
        assertEquals(Set.of(), store.watchers("alice"));
        assertTrue(store.watch("alice", "s1"));
        assertFalse(store.watch("alice", "s1"));
        assertTrue(store.watch("alice", "s2"));
        assertTrue(store.watch("bob", "s1"));
        assertEquals(Set.of("s1", "s2"), store.watchers("alice"));
        store.unwatch("alice", "s1");
        store.unwatch("alice", "nobody");
        assertEquals(Set.of("s2"), store.watchers("alice"));
        assertEquals(Set.of("s1"), store.watchers("bob"));
        store.unwatch("alice", "s2");
        assertEquals(Set.of(), store.watchers("alice"));
        assertTrue(store.watch("alice", "s2"), "a set emptied and filled again");
    }

    private static SessionRecord session(String id, String user, Instant createdAt) {
        return new SessionRecord(id, "token-" + id, user, "sip:" + user + "@example.com", user.toUpperCase(),
                "test", "node-a", createdAt, null);
    }

    private static SessionRecord session(String id, String user) {
        return session(id, user, T0);
    }

    private static CallRecord outbound(String callId, String callerSession) {
        return CallRecord.create(callId, CallKind.WEB_TO_SIP, callerSession, "sip:alice@example.com", "Alice",
                "sip:+3311111@pbx.example.com", Set.of(), T0, "node-a");
    }

    private static CallRecord inbound(String callId, Set<String> offered) {
        return CallRecord.create(callId, CallKind.SIP_TO_WEB, null, "sip:+3322222@pbx.example.com", null, "alice",
                offered, T0, "node-a");
    }

    private static Set<String> ids(List<SessionRecord> sessions) {
        return sessions.stream().map(SessionRecord::sessionId).collect(Collectors.toSet());
    }

    private static Set<String> callIds(List<CallRecord> calls) {
        return calls.stream().map(CallRecord::callId).collect(Collectors.toSet());
    }

    private static List<Long> seqs(List<LoggedEvent> events) {
        return events.stream().map(LoggedEvent::seq).toList();
    }

    // ---- sessions

    @Test
    void createdSessionIsFoundByIdTokenAndUser() {
        SessionRecord s = session("s1", "alice");
        store.createSession(s);

        assertEquals(Optional.of(s), store.session("s1"));
        assertEquals(Optional.of(s), store.sessionByResumeToken("token-s1"));
        assertEquals(List.of(s), store.sessionsOfUser("alice"));
    }

    @Test
    void unknownSessionIsEmpty() {
        assertEquals(Optional.empty(), store.session("nope"));
        assertEquals(Optional.empty(), store.sessionByResumeToken("nope"));
        assertEquals(List.of(), store.sessionsOfUser("nobody"));
    }

    @Test
    void sessionsOfUserListsEveryTabOfThatUserOnly() {
        store.createSession(session("s1", "alice", T0));
        store.createSession(session("s2", "alice", T0.plusSeconds(1)));
        store.createSession(session("s3", "bob", T0.plusSeconds(2)));
        store.updateSession("s2", s -> s.detached(T0.plusSeconds(5)));

        // Detached sessions still count: they may resume within the window.
        assertEquals(Set.of("s1", "s2"), ids(store.sessionsOfUser("alice")));
        assertEquals(Set.of("s3"), ids(store.sessionsOfUser("bob")));
    }

    @Test
    void updateSessionReplacesTheRecord() {
        store.createSession(session("s1", "alice"));
        Instant at = T0.plusSeconds(30);

        Optional<SessionRecord> updated = store.updateSession("s1", s -> s.detached(at));

        assertEquals(at, updated.orElseThrow().detachedAt());
        assertEquals(updated, store.session("s1"));
        assertEquals(updated, store.sessionByResumeToken("token-s1"));
        assertEquals(List.of(updated.get()), store.sessionsOfUser("alice"));
        assertEquals("node-b", store.updateSession("s1", s -> s.attachedTo("node-b")).orElseThrow().nodeId());
        assertTrue(store.session("s1").orElseThrow().attached());
    }

    @Test
    void updateSessionOfUnknownSessionIsEmptyAndDoesNotCallTheFunction() {
        assertEquals(Optional.empty(), store.updateSession("nope", s -> {
            throw new AssertionError("called for a missing session");
        }));
        assertEquals(Optional.empty(), store.session("nope"));
    }

    @Test
    void throwingUpdateSessionLeavesTheSessionUnchanged() {
        SessionRecord s = session("s1", "alice");
        store.createSession(s);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.updateSession("s1", current -> {
            throw new IllegalStateException("abort");
        }));

        assertEquals("abort", e.getMessage());
        assertEquals(Optional.of(s), store.session("s1"));
    }

    @Test
    void removeSessionReturnsItAndDropsTokenUserIndexAndEventLog() {
        SessionRecord s = session("s1", "alice");
        store.createSession(s);
        store.createSession(session("s2", "alice"));
        store.appendEvent("s1", seq -> "e" + seq);

        assertEquals(Optional.of(s), store.removeSession("s1"));

        assertEquals(Optional.empty(), store.session("s1"));
        assertEquals(Optional.empty(), store.sessionByResumeToken("token-s1"));
        assertEquals(Set.of("s2"), ids(store.sessionsOfUser("alice")));
        assertEquals(List.of(), store.eventsAfter("s1", 0));
        assertEquals(Optional.empty(), store.appendEvent("s1", seq -> "late"));
        assertEquals(Optional.empty(), store.removeSession("s1"));
    }

    @Test
    void removingTheLastSessionOfAUserEmptiesItsIndex() {
        store.createSession(session("s1", "alice"));
        store.removeSession("s1");
        assertEquals(List.of(), store.sessionsOfUser("alice"));
    }

    @Test
    void recreatedSessionStartsANewEventLog() {
        store.createSession(session("s1", "alice"));
        store.appendEvent("s1", seq -> "old");
        store.removeSession("s1");
        store.createSession(session("s1", "alice"));

        // The old log went with the old session: no stale event, and seq starts again at 1.
        assertEquals(List.of(), store.eventsAfter("s1", 0));
        assertEquals(1, store.appendEvent("s1", seq -> "new").orElseThrow().event().seq());
    }

    @Test
    void removeUnknownSessionIsEmpty() {
        assertEquals(Optional.empty(), store.removeSession("nope"));
    }

    // ---- calls

    @Test
    void createCallStoresItOnce() {
        CallRecord c = outbound("c1", "s1");

        assertTrue(store.createCall(c));
        assertFalse(store.createCall(outbound("c1", "s2")), "a second call with the same id");

        assertEquals(Optional.of(c), store.call("c1"));
        assertEquals(Optional.empty(), store.call("c2"));
    }

    @Test
    void updateCallStoresAndReturnsTheNextVersion() {
        store.createCall(outbound("c1", "s1"));

        Optional<CallRecord> ringing = store.updateCall("c1", c -> c.withState(CallState.RINGING));

        assertEquals(CallState.RINGING, ringing.orElseThrow().state());
        assertEquals(2, ringing.get().version());
        assertEquals(ringing, store.call("c1"));
    }

    @Test
    void updateCallReturningCurrentLeavesTheCallAsItIs() {
        CallRecord c = outbound("c1", "s1");
        store.createCall(c);

        Optional<CallRecord> same = store.updateCall("c1", current -> current);

        assertEquals(Optional.of(c), same);
        assertEquals(Optional.of(c), store.call("c1"));
        assertEquals(1, store.call("c1").orElseThrow().version());
    }

    @Test
    void updateCallRefusesAVersionThatIsNotOneHigher() {
        CallRecord c = outbound("c1", "s1");
        store.createCall(c);

        // Two steps in one update: version 3 where 2 is due, as a stale writer would produce.
        assertThrows(IllegalArgumentException.class,
                () -> store.updateCall("c1", current -> current.withState(CallState.RINGING).withState(CallState.ACCEPTED)));
        // A copy that keeps the version is not "current itself" either.
        assertThrows(IllegalArgumentException.class, () -> store.updateCall("c1", current -> new CallRecord(
                current.callId(), current.kind(), CallState.RINGING, current.callerSession(), current.caller(),
                current.callerDisplayName(), current.callee(), current.offeredSessions(), current.answeredSession(),
                current.version(), current.createdAt(), current.ownerNode(), current.sipDialog(), current.provider(),
                current.quality())));

        assertEquals(Optional.of(c), store.call("c1"));
    }

    @Test
    void throwingUpdateCallLeavesTheCallUnchanged() {
        CallRecord c = outbound("c1", "s1");
        store.createCall(c);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.updateCall("c1", current -> {
            throw new IllegalStateException("abort");
        }));

        assertEquals("abort", e.getMessage());
        assertEquals(Optional.of(c), store.call("c1"));
    }

    @Test
    void endedCallIsReturnedOnceAndRemoved() {
        store.createCall(outbound("c1", "s1"));

        Optional<CallRecord> ended = store.updateCall("c1", c -> c.withState(CallState.ENDED));

        assertEquals(CallState.ENDED, ended.orElseThrow().state());
        assertEquals(Optional.empty(), store.call("c1"));
        assertEquals(List.of(), store.calls());
        assertEquals(List.of(), store.callsOfSession("s1"));
        assertEquals(Optional.empty(), store.updateCall("c1", c -> {
            throw new AssertionError("called for an ended call");
        }));
    }

    @Test
    void updateUnknownCallIsEmpty() {
        assertEquals(Optional.empty(), store.updateCall("nope", c -> c.withState(CallState.RINGING)));
        assertEquals(Optional.empty(), store.call("nope"));
    }

    @Test
    void callsListsEveryLiveCall() {
        store.createCall(outbound("c1", "s1"));
        store.createCall(inbound("c2", Set.of("s2")));
        store.createCall(outbound("c3", "s3"));
        store.updateCall("c3", c -> c.withState(CallState.ENDED));

        assertEquals(Set.of("c1", "c2"), callIds(store.calls()));
    }

    @Test
    void callsOfSessionFollowsInvolves() {
        store.createCall(outbound("placed", "s1"));
        store.createCall(inbound("ringing", Set.of("s1", "s2")));
        store.createCall(inbound("elsewhere", Set.of("s3")));

        assertEquals(Set.of("placed", "ringing"), callIds(store.callsOfSession("s1")));
        assertEquals(Set.of("ringing"), callIds(store.callsOfSession("s2")));
        assertEquals(Set.of(), callIds(store.callsOfSession("s4")));

        // Once s2 answers, the call no longer involves s1, which only had it ringing.
        store.updateCall("ringing", c -> c.answeredBy("s2"));
        assertEquals(Set.of("placed"), callIds(store.callsOfSession("s1")));
        assertEquals(Set.of("ringing"), callIds(store.callsOfSession("s2")));
    }

    // ---- event log

    @Test
    void appendAssignsSeqFromOneAndStoresTheRenderedFrame() {
        store.createSession(session("s1", "alice"));

        LoggedEvent first = store.appendEvent("s1", seq -> "{\"seq\":" + seq + "}").orElseThrow().event();
        LoggedEvent second = store.appendEvent("s1", seq -> "{\"seq\":" + seq + "}").orElseThrow().event();

        assertEquals(new LoggedEvent(1, "{\"seq\":1}"), first);
        assertEquals(new LoggedEvent(2, "{\"seq\":2}"), second);
        assertEquals(List.of(first, second), store.eventsAfter("s1", 0));
    }

    @Test
    void appendTellsWhichNodeHoldsTheSessionAtThatAppend() {
        store.createSession(session("s1", "alice"));
        assertEquals(session("s1", "alice"), store.appendEvent("s1", seq -> "a").orElseThrow().session());

        store.updateSession("s1", s -> s.attachedTo("node-b"));
        Appended afterMove = store.appendEvent("s1", seq -> "b").orElseThrow();

        assertEquals("node-b", afterMove.session().nodeId());
        assertEquals(2, afterMove.event().seq());
        store.updateSession("s1", s -> s.detached(T0.plusSeconds(5)));
        assertEquals(T0.plusSeconds(5), store.appendEvent("s1", seq -> "c").orElseThrow().session().detachedAt());
    }

    @Test
    void aCallTakenOverKeepsItsNewOwner() {
        store.createCall(outbound("c1", "s1"));

        CallRecord adopted = store.updateCall("c1", c -> c.adoptedBy("node-b")).orElseThrow();

        assertEquals("node-b", adopted.ownerNode());
        assertEquals(2, adopted.version());
        assertEquals(Optional.of(adopted), store.call("c1"));
    }

    @Test
    void aSessionKeepsItsDialPlanThroughEveryChange() {
        SessionRecord carol = new SessionRecord("s9", "token-s9", "carol", "sip:carol@example.com", null, "test",
                "node-a", T0, null, List.of("tel:+33*"), List.of("tel:+339*"));
        store.createSession(carol);

        store.updateSession("s9", s -> s.detached(T0.plusSeconds(1)));
        SessionRecord back = store.updateSession("s9", s -> s.attachedTo("node-b")).orElseThrow();

        assertEquals(List.of("tel:+33*"), back.dialAllow());
        assertEquals(List.of("tel:+339*"), back.dialDeny());
        assertEquals(back, store.sessionByResumeToken("token-s9").orElseThrow());
    }

    @Test
    void aCallKeepsItsSipDialogWhole() {
        store.createCall(outbound("c1", "s1"));
        SipDialog dialog = new SipDialog("abc@10.0.0.1", "l1", "r1", "\"Alice\" <sip:alice@example.com>",
                "<sip:+3311111@pbx.example.com>", 1, 0, List.of("<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"),
                "sip:+3311111@10.0.0.9:5060;transport=tcp", "tcp", "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n", null);

        store.updateCall("c1", c -> c.withDialog(dialog));

        assertEquals(dialog, store.call("c1").orElseThrow().sipDialog());
    }

    @Test
    void aCallKeepsTheLatestQualityOfEachUser() {
        store.createCall(outbound("c1", "s1"));
        CallQuality first = new CallQuality(T0.plusSeconds(10), List.of(
                new CallQuality.Stream("audio", "inbound", "opus", 500L, -1L, 80_000L, 4.25, 38.5, 4.1),
                new CallQuality.Stream("audio", "outbound", null, 510L, null, null, null, null, null)));
        CallQuality bobs = new CallQuality(T0.plusSeconds(11), List.of(
                new CallQuality.Stream("video", "inbound", "VP8", 900L, 2L, 1_000_000L, 12.0, 40.0, null)));
        CallQuality latest = new CallQuality(T0.plusSeconds(20), List.of(
                new CallQuality.Stream("audio", "inbound", "opus", 1000L, 3L, 160_000L, 5.0, 41.0, 3.9)));

        store.updateCall("c1", c -> c.withQuality("alice", first));
        store.updateCall("c1", c -> c.withQuality("bob", bobs));
        CallRecord after = store.updateCall("c1", c -> c.withQuality("alice", latest)).orElseThrow();

        assertEquals(Map.of("alice", latest, "bob", bobs), after.quality());
        assertEquals(4, after.version());
        assertEquals(after, store.call("c1").orElseThrow());
        assertEquals(Map.of(), outbound("c2", "s1").quality(), "a new call has no report yet");
    }

    @Test
    void eachSessionHasItsOwnSeq() {
        store.createSession(session("s1", "alice"));
        store.createSession(session("s2", "bob"));

        store.appendEvent("s1", seq -> "a");
        store.appendEvent("s1", seq -> "b");

        assertEquals(1, store.appendEvent("s2", seq -> "c").orElseThrow().event().seq());
        assertEquals(3, store.appendEvent("s1", seq -> "d").orElseThrow().event().seq());
    }

    @Test
    void appendToUnknownSessionIsEmptyAndRendersNothing() {
        assertEquals(Optional.empty(), store.appendEvent("nope", seq -> {
            throw new AssertionError("rendered for a missing session");
        }));
    }

    @Test
    void eventsAfterReturnsTheTailInOrder() {
        store.createSession(session("s1", "alice"));
        for (int i = 0; i < 5; i++) {
            store.appendEvent("s1", seq -> "e" + seq);
        }

        assertEquals(List.of(new LoggedEvent(4, "e4"), new LoggedEvent(5, "e5")), store.eventsAfter("s1", 3));
        assertEquals(List.of(), store.eventsAfter("s1", 5));
        assertEquals(List.of(), store.eventsAfter("s1", 99));
        assertEquals(List.of(), store.eventsAfter("nope", 0));
    }

    @Test
    void ackForgetsUpToAndIncludingSeq() {
        store.createSession(session("s1", "alice"));
        for (int i = 0; i < 5; i++) {
            store.appendEvent("s1", seq -> "e" + seq);
        }

        store.ackEvents("s1", 3);

        assertEquals(List.of(4L, 5L), seqs(store.eventsAfter("s1", 0)));
        // Acknowledging does not rewind the numbering.
        assertEquals(6, store.appendEvent("s1", seq -> "e" + seq).orElseThrow().event().seq());

        store.ackEvents("s1", 6);
        assertEquals(List.of(), store.eventsAfter("s1", 0));
        assertEquals(7, store.appendEvent("s1", seq -> "e" + seq).orElseThrow().event().seq());
    }

    @Test
    void ackOfAnOlderSeqKeepsTheRest() {
        store.createSession(session("s1", "alice"));
        for (int i = 0; i < 3; i++) {
            store.appendEvent("s1", seq -> "e" + seq);
        }

        store.ackEvents("s1", 2);
        store.ackEvents("s1", 1);

        assertEquals(List.of(3L), seqs(store.eventsAfter("s1", 0)));
    }

    @Test
    void throwingAppendRenderAssignsNoSeq() {
        store.createSession(session("s1", "alice"));

        assertThrows(IllegalStateException.class, () -> store.appendEvent("s1", seq -> {
            throw new IllegalStateException("cannot render");
        }));

        // A failed render must not leave a gap that a resuming client would wait for forever.
        assertEquals(1, store.appendEvent("s1", seq -> "e" + seq).orElseThrow().event().seq());
        assertEquals(List.of(1L), seqs(store.eventsAfter("s1", 0)));
    }

    @Test
    void ackOfUnknownSessionIsIgnored() {
        store.ackEvents("nope", 10);
        assertEquals(List.of(), store.eventsAfter("nope", 0));
    }

    // ---- concurrency

    /** Runs every task on its own thread, all released at once, and returns their results. */
    private static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch ready = new CountDownLatch(tasks.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    if (!go.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("start signal never came");
                    }
                    return task.call();
                }));
            }
            assertTrue(ready.await(WAIT_SECONDS, TimeUnit.SECONDS), "threads did not start");
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(60)
    void concurrentAppendsGetUniqueConsecutiveSeqs() throws Exception {
        int threads = 8;
        int perThread = 250;
        store.createSession(session("s1", "alice"));
        List<Callable<List<Long>>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            tasks.add(() -> {
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    mine.add(store.appendEvent("s1", seq -> "e" + seq).orElseThrow().event().seq());
                }
                return mine;
            });
        }

        List<Long> all = runTogether(tasks).stream().flatMap(List::stream).sorted().toList();

        List<Long> expected = LongStream.rangeClosed(1, (long) threads * perThread).boxed().toList();
        assertEquals(expected, all, "every seq handed out once, none skipped");
        List<LoggedEvent> logged = store.eventsAfter("s1", 0);
        assertEquals(expected, seqs(logged), "the log holds them in seq order");
        for (LoggedEvent e : logged) {
            assertEquals("e" + e.seq(), e.frame(), "the frame was rendered for its own seq");
        }
    }

    @Test
    @Timeout(60)
    void concurrentUpdateCallLosesNoIncrement() throws Exception {
        int threads = 8;
        int perThread = 250;
        store.createCall(outbound("c1", "s1"));
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            tasks.add(() -> {
                for (int i = 0; i < perThread; i++) {
                    // Same state, next version: every update is a read-modify-write of the version.
                    store.updateCall("c1", c -> c.withState(c.state())).orElseThrow();
                }
                return null;
            });
        }

        runTogether(tasks);

        assertEquals(1 + threads * perThread, store.call("c1").orElseThrow().version());
    }

    @Test
    @Timeout(60)
    void creatingWhileTheUsersLastSessionIsRemovedKeepsTheNewOneIndexed() throws Exception {
        int rounds = 20_000;
        CyclicBarrier together = new CyclicBarrier(2);
        for (int i = 0; i < rounds; i++) {
            store.createSession(session("old-" + i, "user-" + i));
        }
        // Each round, one thread removes a user's only session while the other gives that user a
        // new one: the index entry emptied by the removal must not swallow the new session.
        Callable<Void> remover = () -> {
            for (int i = 0; i < rounds; i++) {
                together.await(WAIT_SECONDS, TimeUnit.SECONDS);
                store.removeSession("old-" + i);
            }
            return null;
        };
        Callable<Void> creator = () -> {
            for (int i = 0; i < rounds; i++) {
                together.await(WAIT_SECONDS, TimeUnit.SECONDS);
                store.createSession(session("new-" + i, "user-" + i));
            }
            return null;
        };

        runTogether(List.of(remover, creator));

        List<String> lost = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            if (!ids(store.sessionsOfUser("user-" + i)).equals(Set.of("new-" + i))) {
                lost.add("user-" + i);
            }
        }
        assertEquals(List.of(), lost, "users whose index lost their new session");
    }
}
