package dev.passerelle.gateway.session;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The nodes of one cluster, as the store that they share sees them: who beats (each node records
 * a heartbeat, and the others read when each was last heard), and one message channel per node.
 * A single-node gateway has a bus too, with itself as its only node.
 *
 * <p>Messages are delivered at most once and in the order one sender sent them; a message sent
 * while the receiver is unsubscribed is lost. Whoever sends keeps the truth elsewhere (the event
 * log, the call record), so that a lost message delays something but never loses it; the
 * receiver hears {@link Listener#resubscribed()} after a gap in its subscription and catches up
 * from the store.
 */
public interface NodeBus extends AutoCloseable {

    /** This node's end of the bus. */
    interface Listener {
        /** One message for this node. Called on a bus thread: must not block. */
        void message(String payload);

        /** The subscription is back after a drop: messages sent meanwhile may be lost. */
        void resubscribed();
    }

    /** This node's id on the bus. */
    String nodeId();

    /** Starts beating and hands this node's messages to {@code listener} from now on. */
    void join(Listener listener);

    /**
     * Sends {@code payload} to {@code node}. The stage completes once the shared store took it,
     * or fails with a {@link dev.passerelle.gateway.error.GatewayException} (503) when it cannot.
     */
    CompletionStage<Void> send(String node, String payload);

    /**
     * When each known node last beat, as read at the latest heartbeat of this node: at most one
     * heartbeat interval old, and never blocking.
     */
    Map<String, Instant> lastBeats();

    /** Drops a node that is dead and that nothing refers to any more from {@link #lastBeats()}. */
    void forget(String node);

    /** Stops beating (the others will see this node stop) and listening. */
    @Override
    void close();
}
