package dev.passerelle.gateway.session;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The latest quality one user reported for a call ({@code qos.report}), kept in the call's record
 * so that the call detail record has it. Plain data, serialised as JSON by the store.
 *
 * @param at when the gateway received the report
 * @param streams one entry per media stream and direction, as the client reported them
 */
public record CallQuality(Instant at, List<Stream> streams) {

    public CallQuality {
        Objects.requireNonNull(at, "at");
        streams = streams == null ? List.of() : List.copyOf(streams);
    }

    /**
     * One media stream in one direction; every figure may be null (not reported).
     *
     * @param kind {@code audio} or {@code video}
     * @param direction {@code inbound} (what the client received) or {@code outbound} (what it sent)
     * @param packetsLost as the receiver counts them (RFC 3550 §6.4.1), may be negative
     */
    public record Stream(String kind, String direction, String codec, Long packets, Long packetsLost, Long bytes,
            Double jitterMs, Double roundTripMs, Double mos) {}
}
