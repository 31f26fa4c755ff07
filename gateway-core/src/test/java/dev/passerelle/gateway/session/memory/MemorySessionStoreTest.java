package dev.passerelle.gateway.session.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.session.SessionStoreContract;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemorySessionStoreTest extends SessionStoreContract {

    @Override
    protected SessionStore newStore() {
        // Roomy enough that the contract's concurrency test never reaches the limit.
        return new MemorySessionStore(100_000);
    }

    @Test
    void eventLogDropsTheOldestPastItsLimit() {
        try (MemorySessionStore small = new MemorySessionStore(3)) {
            small.createSession(new SessionRecord("s1", "t1", "alice", "sip:alice@example.com", null, null, "node-a",
                    Instant.parse("2025-01-01T10:00:00Z"), null));
            for (int i = 0; i < 5; i++) {
                small.appendEvent("s1", seq -> "e" + seq);
            }

            // Seq keeps counting: the dropped events are gone, not renumbered.
            assertEquals(List.of(new LoggedEvent(3, "e3"), new LoggedEvent(4, "e4"), new LoggedEvent(5, "e5")),
                    small.eventsAfter("s1", 0));
        }
    }

    @Test
    void ackedEventsFreeRoomBeforeTheLimitDropsAnything() {
        try (MemorySessionStore small = new MemorySessionStore(3)) {
            small.createSession(new SessionRecord("s1", "t1", "alice", "sip:alice@example.com", null, null, "node-a",
                    Instant.parse("2025-01-01T10:00:00Z"), null));
            for (int i = 0; i < 3; i++) {
                small.appendEvent("s1", seq -> "e" + seq);
            }
            small.ackEvents("s1", 2);
            small.appendEvent("s1", seq -> "e" + seq);
            small.appendEvent("s1", seq -> "e" + seq);

            assertEquals(List.of(new LoggedEvent(3, "e3"), new LoggedEvent(4, "e4"), new LoggedEvent(5, "e5")),
                    small.eventsAfter("s1", 0));
        }
    }
}
