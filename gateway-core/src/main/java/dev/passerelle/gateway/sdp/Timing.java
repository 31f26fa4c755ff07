package dev.passerelle.gateway.sdp;

import java.util.List;

/**
 * A {@code t=} line with its {@code r=} lines (RFC 8866 §5.9, §5.10). Times are NTP seconds,
 * 0 meaning unbounded; repeat lines are kept as written, their syntax checked by the parser.
 */
public record Timing(long start, long stop, List<String> repeats) {

    public Timing {
        if (start < 0 || stop < 0) {
            throw new SdpException("t= time is negative");
        }
        repeats = List.copyOf(repeats);
    }

    /** {@code t=0 0}: a permanent session, what every real-time call carries. */
    public static Timing permanent() {
        return new Timing(0, 0, List.of());
    }
}
