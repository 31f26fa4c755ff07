package dev.passerelle.connector.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.QualityReport;
import dev.passerelle.connector.spi.StreamQuality;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code qos.turn.reports}: quality reports forwarded to a real HTTP server on a loopback port. */
class QualityReportsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant AT = Instant.parse("2025-01-01T10:00:00.123Z");

    private final List<AutoCloseable> open = new ArrayList<>();
    private final LogRecords log = new LogRecords();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        log.close();
    }

    private QosServer server() {
        QosServer server = QosServer.start();
        open.add(server);
        return server;
    }

    private TurnQosConnector connector(URI uri, Map<String, Object> reports) {
        Map<String, Object> r = new HashMap<>(reports);
        r.put("uri", uri.toString());
        TurnQosConnector c = new TurnQosConnector(TurnSettings.from(new ConnectorContext("qos.turn",
                Map.of("reports", r), "example.com")), Clock.systemUTC());
        open.add(c);
        return c;
    }

    private static QualityReport report(String callId) {
        return new QualityReport(callId, "alice", "node-a", AT, List.of(
                new StreamQuality("audio", "inbound", "opus", 1500L, -2L, 240_000L, 4.5, 38.0, 4.3)));
    }

    private static List<String> callIds(QosServer.Received received) {
        List<String> out = new ArrayList<>();
        received.body().path("reports").forEach(r -> out.add(r.path("callId").asText()));
        return out;
    }

    /** A loopback port nothing listens on (closed right after it was picked). */
    private static int refusingPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aFullBatchIsPostedWithoutWaitingForTheInterval() throws Exception {
        QosServer server = server();
        TurnQosConnector qos = connector(server.uri(), Map.of("batchSize", 3, "flushInterval", 600_000));

        qos.report(report("c1"));
        qos.report(report("c2"));
        qos.report(report("c3"));

        assertEquals(List.of("c1", "c2", "c3"), callIds(server.next(WAIT)));
    }

    @Test
    void aPartBatchIsPostedOnceTheIntervalPassed() throws Exception {
        QosServer server = server();
        TurnQosConnector qos = connector(server.uri(), Map.of("batchSize", 100, "flushInterval", 200));

        qos.report(report("c1"));
        qos.report(report("c2"));

        assertEquals(List.of("c1", "c2"), callIds(server.next(WAIT)));
        qos.report(report("c3"));
        assertEquals(List.of("c3"), callIds(server.next(WAIT)));
    }

    @Test
    void theBatchIsTheDocumentedJsonWithTheAuthorizationHeader() throws Exception {
        QosServer server = server();
        TurnQosConnector qos = connector(server.uri(), Map.of("batchSize", 2, "authorization", "Bearer s3cret"));

        qos.report(report("c1"));
        qos.report(new QualityReport("c2", "bob", "node-b", AT, List.of(
                new StreamQuality("video", "outbound", null, 10L, null, null, null, null, null))));

        QosServer.Received received = server.next(WAIT);
        assertEquals("POST", received.method());
        assertEquals("application/json", received.contentType());
        assertEquals("Bearer s3cret", received.authorization());
        JsonNode expected = new ObjectMapper().readTree("""
                {"reports":[
                  {"callId":"c1","user":"alice","node":"node-a","receivedAt":"2025-01-01T10:00:00.123Z",
                   "streams":[{"kind":"audio","direction":"inbound","codec":"opus","packets":1500,"packetsLost":-2,
                               "bytes":240000,"jitterMs":4.5,"roundTripMs":38.0,"mos":4.3}]},
                  {"callId":"c2","user":"bob","node":"node-b","receivedAt":"2025-01-01T10:00:00.123Z",
                   "streams":[{"kind":"video","direction":"outbound","packets":10}]}]}""");
        assertEquals(expected, received.body());
    }

    @Test
    void withoutAuthorizationNoHeaderIsSent() throws Exception {
        QosServer server = server();
        TurnQosConnector qos = connector(server.uri(), Map.of("batchSize", 1));

        qos.report(report("c1"));

        assertNull(server.next(WAIT).authorization());
    }

    @Test
    void reportsQueuedWhileTheServerIsDownAreDeliveredOnceItIsUp() throws Exception {
        int port = refusingPort();
        TurnQosConnector qos = connector(URI.create("http://127.0.0.1:" + port + "/reports"),
                Map.of("batchSize", 5, "flushInterval", 50));

        for (int i = 0; i < 5; i++) {
            qos.report(report("a" + i));
        }
        log.awaitWarning("retrying with back-off", WAIT);
        for (int i = 0; i < 7; i++) {
            qos.report(report("b" + i));
        }
        QosServer server = QosServer.startOn(port);
        open.add(0, server);

        List<String> delivered = new ArrayList<>();
        while (delivered.size() < 12) {
            delivered.addAll(callIds(server.next(WAIT)));
        }
        assertEquals(List.of("a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2", "b3", "b4", "b5", "b6"), delivered);
        assertEquals(0, qos.droppedReports());
    }

    @Test
    void aStatusOtherThan2xxIsRetriedWithTheSameBatch() throws Exception {
        QosServer server = server();
        server.answer(503);
        TurnQosConnector qos = connector(server.uri(), Map.of("batchSize", 2, "flushInterval", 20));

        qos.report(report("c1"));
        qos.report(report("c2"));
        server.awaitRequest(WAIT);
        server.awaitRequest(WAIT);
        assertTrue(log.awaitWarning("answered 503", WAIT).contains("keeping the batch of 2"));
        server.answer(200);

        assertEquals(List.of("c1", "c2"), callIds(server.next(WAIT)));
    }

    @Test
    void aFullQueueDropsCountsAndLogsWithoutBlocking() throws Exception {
        QosServer server = server();
        server.stall();
        TurnQosConnector qos = connector(server.uri(), Map.of("batchSize", 1, "queueLimit", 5,
                "flushInterval", 600_000, "timeout", 60_000));
        qos.report(report("in-flight"));
        server.awaitRequest(WAIT);

        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            for (int i = 0; i < 105; i++) {
                qos.report(report("q" + i));
            }
        }, "report() must not wait for a stalled QoS server");

        assertEquals(100, qos.droppedReports());
        String first = log.awaitWarning("dropped", WAIT);
        assertTrue(first.startsWith("QoS reports: 1 dropped since the last line (1 in all)"), first);
        assertTrue(first.contains("the queue of 5 is full"), first);
        assertEquals(List.of(), log.drain().stream().filter(l -> l.contains("dropped")).toList(),
                "at most one line per flush interval");

        server.release();
        qos.close();
        String rest = log.awaitWarning("dropped", WAIT);
        assertTrue(rest.startsWith("QoS reports: 99 dropped since the last line (100 in all)"), rest);
        assertTrue(rest.contains("the queue of 5 is full"), rest);
        List<String> delivered = new ArrayList<>();
        while (server.pending() > 0) {
            delivered.addAll(callIds(server.next(WAIT)));
        }
        assertEquals(List.of("in-flight", "q0", "q1", "q2", "q3", "q4"), delivered);
    }

    @Test
    void closeSendsWhatIsQueued() throws Exception {
        QosServer server = server();
        TurnQosConnector qos = connector(server.uri(), Map.of("batchSize", 2, "flushInterval", 600_000));
        qos.report(report("c1"));
        qos.report(report("c2"));
        qos.report(report("c3"));

        qos.close();

        List<String> delivered = new ArrayList<>();
        while (server.pending() > 0) {
            delivered.addAll(callIds(server.next(WAIT)));
        }
        assertEquals(List.of("c1", "c2", "c3"), delivered, "every report is sent before close returns");
    }

    @Test
    void closeGivesUpAfterItsTimeoutAndSaysHowManyAreUnsent() throws Exception {
        TurnQosConnector qos = connector(URI.create("http://127.0.0.1:" + refusingPort() + "/reports"),
                Map.of("batchSize", 10, "flushInterval", 600_000, "timeout", 300));
        qos.report(report("c1"));
        qos.report(report("c2"));

        assertTimeoutPreemptively(Duration.ofSeconds(3), qos::close);

        assertTrue(log.awaitWarning("closed with", WAIT).startsWith("QoS reports: closed with 2 unsent"));
        qos.report(report("late"));
        assertTrue(log.awaitWarning("dropped", WAIT).contains("the connector is closed"));
    }

    @Test
    void withoutUriReportsAreOnlyTaken() {
        TurnQosConnector qos = new TurnQosConnector(TurnSettings.from(new ConnectorContext("qos.turn", Map.of(),
                "example.com")), Clock.systemUTC());
        qos.report(report("c1"));
        qos.close();
        assertEquals(List.of(), log.drain());
    }

    @Test
    void badSettingsNameTheirKey() {
        assertEquals("qos.turn.reports.uri: 'ftp://qos.example.com' is not an http or https URL",
                refused(Map.of("uri", "ftp://qos.example.com")));
        assertEquals("qos.turn.reports.uri: must not carry credentials; set qos.turn.reports.authorization",
                refused(Map.of("uri", "https://u:p@qos.example.com/")));
        assertEquals("qos.turn.reports.uri: required when qos.turn.reports.authorization is set",
                refused(Map.of("authorization", "Bearer x")));
        assertEquals("qos.turn.reports.authorization: must be a whole Authorization header value in visible ASCII, "
                + "e.g. 'Bearer <token>'", refused(Map.of("uri", "https://qos.example.com/", "authorization", "x\ny")));
        assertEquals("qos.turn.reports.batchSize: '0' is not a whole number of reports from 1 to 10000",
                refused(Map.of("batchSize", 0)));
        assertEquals("qos.turn.reports.flushInterval: 'soon' is not a whole number of milliseconds from 10 to 600000",
                refused(Map.of("flushInterval", "soon")));
        assertEquals("qos.turn.reports.queueLimit: '-1' is not a whole number of reports from 1 to 1000000",
                refused(Map.of("queueLimit", -1)));
        assertEquals("qos.turn.reports.timeout: '5' is not a whole number of milliseconds from 100 to 120000",
                refused(Map.of("timeout", 5)));
        assertEquals("qos.turn.reports.retries: unknown key", refused(Map.of("retries", 3)));
        assertEquals("qos.turn.reports: must be a mapping of uri, authorization, batchSize, flushInterval, queueLimit, "
                + "timeout", assertThrows(ConnectorException.class, () -> TurnSettings.from(new ConnectorContext(
                        "qos.turn", Map.of("reports", "http://qos.example.com"), "example.com"))).getMessage());
    }

    @Test
    void settingsNeverShowTheAuthorization() {
        ReportSettings s = TurnSettings.from(new ConnectorContext("qos.turn", Map.of("reports",
                Map.of("uri", "https://qos.example.com/r", "authorization", "Bearer s3cret")), "example.com")).reports();
        assertTrue(!s.toString().contains("s3cret") && s.toString().contains("authorization=(set)"), s.toString());
    }

    private static String refused(Map<String, Object> reports) {
        return assertThrows(ConnectorException.class, () -> TurnSettings.from(new ConnectorContext("qos.turn",
                Map.of("reports", reports), "example.com"))).getMessage();
    }
}
