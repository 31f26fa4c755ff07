package dev.passerelle.gateway.session.memory;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.NodeBus;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The bus of a node that shares nothing (the memory store): it is its own only node, always
 * alive. A message to itself is handed over on the bus's own thread, as on a real bus, so that a
 * sender never runs the receiver's work under its own locks.
 */
public final class LocalBus implements NodeBus {
    private final String nodeId;
    private final Clock clock;
    private final ExecutorService delivery;
    private volatile Listener listener;

    public LocalBus(String nodeId, Clock clock) {
        this.nodeId = nodeId;
        this.clock = clock;
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "passerelle-bus-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public void join(Listener listener) {
        this.listener = listener;
    }

    @Override
    public CompletionStage<Void> send(String node, String payload) {
        Listener receiver = listener;
        if (!node.equals(nodeId) || receiver == null) {
            return CompletableFuture.failedFuture(new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "node " + node + " is not reachable from a gateway without a shared store"));
        }
        try {
            return CompletableFuture.runAsync(() -> receiver.message(payload), delivery);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "bus closed", e));
        }
    }

    @Override
    public Map<String, Instant> lastBeats() {
        return Map.of(nodeId, clock.instant());
    }

    @Override
    public void forget(String node) {
        // The only node is this one, and it is alive.
    }

    @Override
    public void close() {
        delivery.shutdownNow();
    }
}
