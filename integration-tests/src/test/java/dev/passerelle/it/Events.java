package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Checks on the notifications a session received. */
final class Events {

    private Events() {}

    /** Every notification has an integer {@code seq}, and each is one more than the one before. */
    static void assertSeqIncreasesByOne(List<JsonNode> received) {
        List<JsonNode> notifications = received.stream().filter(m -> m.has("method")).toList();
        assertFalse(notifications.isEmpty(), "no notification at all");
        long previous = -1;
        for (JsonNode n : notifications) {
            JsonNode seq = n.path("params").path("seq");
            assertTrue(seq.isIntegralNumber(), "no integer seq in " + n);
            if (previous >= 0) {
                assertEquals(previous + 1, seq.asLong(), "seq gap or repeat in " + notifications);
            }
            previous = seq.asLong();
        }
    }
}
