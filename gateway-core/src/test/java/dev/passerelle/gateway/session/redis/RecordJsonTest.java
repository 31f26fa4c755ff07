package dev.passerelle.gateway.session.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.passerelle.gateway.session.CallKind;
import dev.passerelle.gateway.session.CallQuality;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.CallState;
import dev.passerelle.gateway.session.RegistrationStatus;
import dev.passerelle.gateway.session.SessionRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The JSON kept in Redis stays readable across versions. */
class RecordJsonTest {

    private final RecordJson json = new RecordJson();

    @Test
    void aCallWrittenBeforeQualityReportsReadsWithNone() {
        // As the previous version wrote it: no "quality" member.
        String old = """
                {"callId":"c1","kind":"WEB_TO_WEB","state":"CONFIRMED","callerSession":"s1",
                 "caller":"sip:alice@localhost","callerDisplayName":null,"callee":"bob","offeredSessions":["s2"],
                 "answeredSession":"s2","version":4,"createdAt":"2025-01-01T10:00:00Z","ownerNode":"node-a",
                 "sipDialog":null}""";

        CallRecord call = json.call(old);

        assertEquals(new CallRecord("c1", CallKind.WEB_TO_WEB, CallState.CONFIRMED, "s1", "sip:alice@localhost", null,
                "bob", Set.of("s2"), "s2", 4, Instant.parse("2025-01-01T10:00:00Z"), "node-a", null, null, Map.of()), call);
    }

    @Test
    void qualityRoundTrips() {
        CallRecord call = CallRecord.create("c1", CallKind.WEB_TO_WEB, "s1", "sip:alice@localhost", null, "bob",
                Set.of("s2"), Instant.parse("2025-01-01T10:00:00Z"), "node-a")
                .withQuality("alice", new CallQuality(Instant.parse("2025-01-01T10:00:10.5Z"), List.of(
                        new CallQuality.Stream("audio", "inbound", "opus", 1L, -1L, 2L, 0.5, 1.5, 4.5),
                        new CallQuality.Stream("video", "outbound", null, null, null, null, null, null, null))));

        assertEquals(call, json.call(json.write(call)));
    }

    @Test
    void aSessionWrittenBeforeRegistrationsReadsWithNone() {
        // As the previous version wrote it: no "registration" member.
        String old = """
                {"sessionId":"s1","resumeToken":"t1","user":"alice","sipUri":"sip:alice@ims.test",
                 "displayName":"Alice","device":"web","nodeId":"node-a","createdAt":"2025-01-01T10:00:00Z",
                 "detachedAt":null,"dialAllow":["*"],"dialDeny":[]}""";

        SessionRecord session = json.session(old);

        assertEquals(new SessionRecord("s1", "t1", "alice", "sip:alice@ims.test", "Alice", "web", "node-a",
                Instant.parse("2025-01-01T10:00:00Z"), null), session);
        assertNull(session.registration());
    }

    @Test
    void registrationRoundTripsAndSurvivesDetachAndAttach() {
        SessionRecord session = new SessionRecord("s1", "t1", "alice", "sip:alice@ims.test", null, null, "node-a",
                Instant.parse("2025-01-01T10:00:00Z"), null)
                .withRegistration(new RegistrationStatus("registered", 200, "registered",
                        Instant.parse("2025-01-01T10:10:00Z"), Instant.parse("2025-01-01T10:00:01.25Z")));

        assertEquals(session, json.session(json.write(session)));
        SessionRecord failed = session.withRegistration(new RegistrationStatus("failed", 403, "Forbidden", null,
                Instant.parse("2025-01-01T10:20:00Z")));
        assertEquals(failed, json.session(json.write(failed)));
        assertEquals(session.registration(),
                session.detached(Instant.parse("2025-01-01T10:05:00Z")).attachedTo("node-b").registration());
    }
}
