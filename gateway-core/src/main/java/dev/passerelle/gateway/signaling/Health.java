package dev.passerelle.gateway.signaling;

import java.util.List;

/**
 * What {@code GET /health} says about a node: {@code status} is {@code up} when the node takes new
 * sessions and calls, {@code draining} while it ends them to stop, {@code degraded} when a part it
 * needs does not answer (then calls that need that part are refused, those already held go on).
 * Written as JSON by {@link ProtocolCodec#health}.
 */
public record Health(String status, String node, Part store, List<ProxyAddress> outboundProxy) {

    public Health {
        outboundProxy = outboundProxy == null ? List.of() : List.copyOf(outboundProxy);
    }

    /** One part of the node: its kind ({@code memory}, {@code redis}), {@code up} or {@code down}, and why. */
    public record Part(String type, String status, String detail) {}

    /**
     * One address of the outbound proxy as RFC 3263 resolved it, in the order it is tried: {@code
     * current} (where requests go), {@code standby} or {@code down} (its keepalive went unanswered).
     * A proxy entirely down does not make the node {@code degraded}: web-to-web calls still work.
     */
    public record ProxyAddress(String address, int port, String transport, String state) {}

    /** Whether a load balancer should send new traffic here: HTTP 200 when true, 503 otherwise. */
    public boolean serving() {
        return status.equals("up");
    }
}
