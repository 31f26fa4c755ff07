package dev.passerelle.connector.spi;

import java.util.Objects;

/**
 * The quality of one media stream in one direction, from the client's {@code inbound-rtp},
 * {@code outbound-rtp}, {@code remote-inbound-rtp} and {@code candidate-pair} statistics. Every
 * figure may be null: a browser reports what it has.
 *
 * @param kind {@code audio} or {@code video}
 * @param direction {@code inbound} (what the client received) or {@code outbound} (what it sent)
 * @param codec the codec's MIME subtype, e.g. {@code opus}, or null
 * @param packets packets received (inbound) or sent (outbound) so far
 * @param packetsLost packets lost so far, as the receiver counts them (RFC 3550 §6.4.1)
 * @param bytes payload bytes received or sent so far
 * @param jitterMs interarrival jitter in milliseconds (RFC 3550 §6.4.1)
 * @param roundTripMs the current round-trip time in milliseconds
 * @param mos an estimated mean opinion score, 1 to 5, when the client computes one
 */
public record StreamQuality(String kind, String direction, String codec, Long packets, Long packetsLost, Long bytes,
        Double jitterMs, Double roundTripMs, Double mos) {

    public StreamQuality {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(direction, "direction");
    }
}
