package dev.passerelle.gateway.media.rtpengine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * What {@link RtpengineAnchor} needs: the ng control addresses of one or more rtpengine daemons,
 * how long to wait for one reply, how many times to send a request before giving up on an
 * address, and how long an address that gave no reply is passed over for new calls.
 *
 * <p>A request to one address takes at most {@code tryTimeout × tries}; placing a new call tries
 * every address once, so it fails with 503 after at most {@code tryTimeout × tries × ng.size()}.
 *
 * @param ng the ng addresses, in round-robin order; at least one
 * @param tryTimeout how long one try waits for its reply
 * @param tries how many times a request is sent (the same cookie each time)
 * @param downFor how long an address that did not answer is tried only after the others
 */
public record RtpengineSettings(List<InetSocketAddress> ng, Duration tryTimeout, int tries, Duration downFor) {

    public static final Duration DEFAULT_DOWN_FOR = Duration.ofSeconds(10);

    public RtpengineSettings {
        if (ng == null || ng.isEmpty()) {
            throw new IllegalArgumentException("at least one rtpengine ng address is needed");
        }
        ng = List.copyOf(ng);
        for (InetSocketAddress a : ng) {
            if (a.isUnresolved()) {
                throw new IllegalArgumentException("ng address " + a.getHostString() + " is not resolved");
            }
        }
        if (tryTimeout == null || tryTimeout.isNegative() || tryTimeout.isZero()) {
            throw new IllegalArgumentException("tryTimeout must be positive: " + tryTimeout);
        }
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be at least 1: " + tries);
        }
        if (downFor == null || downFor.isNegative()) {
            throw new IllegalArgumentException("downFor must not be negative: " + downFor);
        }
    }
}
