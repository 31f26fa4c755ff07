package dev.passerelle.connector.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A client's summary of its {@code RTCPeerConnection.getStats()} for one call, as sent with
 * {@code qos.report}, checked by the gateway and stamped with who sent it and when.
 *
 * @param callId the call it is about
 * @param user the web user who sent it
 * @param node the gateway node that received it
 * @param receivedAt when the gateway received it
 * @param streams one entry per media stream and direction
 */
public record QualityReport(String callId, String user, String node, Instant receivedAt, List<StreamQuality> streams) {

    public QualityReport {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(receivedAt, "receivedAt");
        streams = List.copyOf(Objects.requireNonNull(streams, "streams"));
    }
}
