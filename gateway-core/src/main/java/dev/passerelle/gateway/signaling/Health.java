package dev.passerelle.gateway.signaling;

/**
 * What {@code GET /health} says about a node: {@code status} is {@code up} when the node takes new
 * sessions and calls, {@code draining} while it ends them to stop, {@code degraded} when a part it
 * needs does not answer (then calls that need that part are refused, those already held go on).
 * Written as JSON by {@link ProtocolCodec#health}.
 */
public record Health(String status, String node, Part store) {

    /** One part of the node: its kind ({@code memory}, {@code redis}), {@code up} or {@code down}, and why. */
    public record Part(String type, String status, String detail) {}

    /** Whether a load balancer should send new traffic here: HTTP 200 when true, 503 otherwise. */
    public boolean serving() {
        return status.equals("up");
    }
}
