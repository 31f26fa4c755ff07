package dev.passerelle.gateway.routes;

import dev.passerelle.connector.spi.QosConnector;
import dev.passerelle.connector.spi.QualityReport;
import dev.passerelle.connector.spi.StreamQuality;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.CallQuality;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.Params;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code qos.report}: the report is stamped (the session's user, this node, the routing clock),
 * its streams become the user's latest snapshot in the call's record, and the stamped report goes
 * to the QoS connector. The reply never waits for the QoS server: the connector only queues.
 */
final class QosSteps {
    private static final Logger log = LoggerFactory.getLogger(QosSteps.class);

    private final SessionStore store;
    private final QosConnector qos;
    private final String node;
    private final Clock clock;

    QosSteps(SessionStore store, QosConnector qos, String node, Clock clock) {
        this.store = store;
        this.qos = qos;
        this.node = node;
        this.clock = clock;
    }

    void report(Exchange exchange) {
        Message in = exchange.getMessage();
        String sessionId = in.getHeader(Headers.SESSION_ID, String.class);
        Params.QosReport report = in.getBody(Params.QosReport.class);
        SessionRecord session = store.session(sessionId)
                .orElseThrow(() -> new GatewayException(ErrorCode.UNAUTHORIZED, "the session has ended"));
        // Any session of the user counts: a report may come from the tab that placed the call
        // while another tab of the same user answered, or after a resume.
        Set<String> usersSessions = store.sessionsOfUser(session.user()).stream().map(SessionRecord::sessionId)
                .collect(Collectors.toSet());
        usersSessions.add(sessionId);
        Instant at = clock.instant();
        CallQuality latest = new CallQuality(at, report.streams().stream().map(QosSteps::snapshot).toList());
        store.updateCall(report.callId(), c -> {
            if (usersSessions.stream().noneMatch(c::involves)) {
                throw unknownCall(c.callId());
            }
            return c.withQuality(session.user(), latest);
        }).orElseThrow(() -> unknownCall(report.callId()));
        forward(new QualityReport(report.callId(), session.user(), node, at,
                report.streams().stream().map(QosSteps::forConnector).toList()));
    }

    /** A connector must not throw (QosConnector#report); one that does costs the client nothing. */
    private void forward(QualityReport report) {
        try {
            qos.report(report);
        } catch (RuntimeException e) {
            log.warn("call {}: the QoS connector refused {}'s report: {}", report.callId(), report.user(),
                    e.toString());
        }
    }

    private static CallQuality.Stream snapshot(Params.QosReport.Stream s) {
        return new CallQuality.Stream(s.kind(), s.direction(), s.codec(), s.packets(), s.packetsLost(), s.bytes(),
                s.jitterMs(), s.roundTripMs(), s.mos());
    }

    private static StreamQuality forConnector(Params.QosReport.Stream s) {
        return new StreamQuality(s.kind(), s.direction(), s.codec(), s.packets(), s.packetsLost(), s.bytes(),
                s.jitterMs(), s.roundTripMs(), s.mos());
    }

    private static GatewayException unknownCall(String callId) {
        return new GatewayException(ErrorCode.NOT_FOUND, "no call " + callId + " for this user");
    }
}
