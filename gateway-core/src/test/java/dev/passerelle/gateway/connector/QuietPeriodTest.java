package dev.passerelle.gateway.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuietPeriodTest {

    private static final long MS = 1_000_000;

    @Test
    void nothingIsDueBeforeAChange() {
        QuietPeriod quiet = new QuietPeriod(Duration.ofSeconds(1));
        assertEquals(-1, quiet.remaining(0));
        assertFalse(quiet.take(5_000 * MS));
    }

    @Test
    void aChangeIsDueAQuietPeriodLaterAndOnlyOnce() {
        QuietPeriod quiet = new QuietPeriod(Duration.ofSeconds(1));
        quiet.changed(100 * MS);

        assertEquals(400 * MS, quiet.remaining(700 * MS));
        assertFalse(quiet.take(1_099 * MS));
        assertTrue(quiet.take(1_100 * MS));
        assertFalse(quiet.take(1_200 * MS), "taken");
        assertEquals(-1, quiet.remaining(1_200 * MS));
    }

    @Test
    void everyChangeStartsTheQuietPeriodAgain() {
        QuietPeriod quiet = new QuietPeriod(Duration.ofSeconds(1));
        // A jar being copied: a change every 300 ms for 2 s, then nothing.
        for (long t = 0; t <= 2_000; t += 300) {
            quiet.changed(t * MS);
            assertFalse(quiet.take((t + 299) * MS), "due while still changing, at " + (t + 299) + " ms");
        }
        assertFalse(quiet.take(2_799 * MS));
        assertTrue(quiet.take(2_800 * MS));
    }
}
