package dev.passerelle.gateway.routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.NodeBus;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import dev.passerelle.gateway.signaling.Request;
import dev.passerelle.gateway.signaling.Results;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node among the others: who is alive, and the messages that carry events and requests to
 * the node that must act on them. Each session's socket is on one node (its record says which);
 * each call is driven by one node (its owner); anything that must happen elsewhere travels as a
 * {@link ClusterMessage} on the bus.
 *
 * <p>A node is alive while its last heartbeat is younger than {@code nodeTimeout}. Requests sent
 * to another node wait at most {@code nodeTimeout} for the reply, then fail with 503: the client
 * may retry, and by then the node is either back or known dead and its calls adopted.
 */
final class Cluster implements NodeBus.Listener {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    /** What this node does with what the others send it. */
    interface Receiver {
        /** An event was logged for a session whose socket is here. */
        void wake(String sessionId, LoggedEvent event);

        /** A session whose socket was here was resumed elsewhere. */
        void moved(String sessionId);

        /** A client request, sent by the node holding the client's socket, about a call driven here. */
        CompletionStage<Object> forwarded(String sessionId, Request request);

        /** Another node asks this one to end a call it drives. */
        CompletionStage<Object> endCall(String callId, EndCause cause);

        /** Messages may have been lost: catch every socket of this node up from the store. */
        void catchUp();
    }

    private final NodeBus bus;
    private final ProtocolCodec protocol;
    private final Duration nodeTimeout;
    private final Clock clock;
    private final Executor work;
    private final ScheduledExecutorService timers;
    private final ObjectMapper json = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private volatile Receiver receiver;

    /**
     * @param work runs what a message asks for, off the bus's thread (store calls block)
     * @param timers times out the requests this node sent
     */
    Cluster(NodeBus bus, ProtocolCodec protocol, Duration nodeTimeout, Clock clock, Executor work,
            ScheduledExecutorService timers) {
        this.bus = bus;
        this.protocol = protocol;
        this.nodeTimeout = nodeTimeout;
        this.clock = clock;
        this.work = work;
        this.timers = timers;
    }

    String nodeId() {
        return bus.nodeId();
    }

    boolean isLocal(String node) {
        return bus.nodeId().equals(node);
    }

    /** This node always; another while its heartbeat is younger than the node timeout. */
    boolean isAlive(String node) {
        return isLocal(node) || deadSince(node).isEmpty();
    }

    /**
     * When {@code node} became dead: its last heartbeat plus the node timeout, if that is past. A
     * node not heard of is taken as alive: it has not beaten yet (it is starting), or it is so long
     * gone that nothing refers to it any more.
     */
    Optional<Instant> deadSince(String node) {
        Instant last = isLocal(node) ? null : bus.lastBeats().get(node);
        if (last == null) {
            return Optional.empty();
        }
        Instant dead = last.plus(nodeTimeout);
        return dead.isAfter(clock.instant()) ? Optional.empty() : Optional.of(dead);
    }

    /** Every node heard of, with its last heartbeat. */
    Map<String, Instant> lastBeats() {
        return bus.lastBeats();
    }

    void forget(String node) {
        bus.forget(node);
    }

    void start(Receiver receiver) {
        this.receiver = receiver;
        bus.join(this);
    }

    // ---- sending

    /** Tells {@code node} to push an event; a lost wake only delays it (see {@link EventOutbox}). */
    void wake(String node, String sessionId, LoggedEvent event) {
        post(node, new ClusterMessage.Wake(sessionId, event.seq(), event.frame()));
    }

    void moved(String node, String sessionId) {
        post(node, new ClusterMessage.Moved(sessionId));
    }

    /** Has {@code node} handle a client's request; completes with its result or its error. */
    CompletionStage<Object> forward(String node, String sessionId, Request request) {
        String id = UUID.randomUUID().toString();
        return ask(node, id, new ClusterMessage.Forward(id, nodeId(), sessionId, protocol.request(request)));
    }

    /** Has {@code node} end a call it drives. */
    CompletionStage<Object> endCall(String node, String callId, EndCause cause) {
        String id = UUID.randomUUID().toString();
        return ask(node, id, new ClusterMessage.EndCall(id, nodeId(), callId, cause));
    }

    private CompletionStage<Object> ask(String node, String id, ClusterMessage message) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        pending.put(id, reply);
        timers.schedule(() -> reply.completeExceptionally(new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                "node " + node + " did not answer in " + nodeTimeout.toMillis() + " ms; try again")),
                nodeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        bus.send(node, encode(message)).whenComplete((ok, failure) -> {
            if (failure != null) {
                reply.completeExceptionally(unwrap(failure));
            }
        });
        return reply.whenComplete((frame, failure) -> pending.remove(id))
                .thenApply(frame -> (Object) protocol.decodeResult(frame, Results.Empty.class));
    }

    private void post(String node, ClusterMessage message) {
        bus.send(node, encode(message)).whenComplete((ok, failure) -> {
            if (failure != null) {
                log.warn("{} for node {} not sent: {}", message.getClass().getSimpleName(), node,
                        unwrap(failure).getMessage());
            }
        });
    }

    // ---- receiving

    @Override
    public void message(String payload) {
        ClusterMessage message;
        try {
            message = json.readValue(payload, ClusterMessage.class);
        } catch (JsonProcessingException e) {
            log.warn("node {}: unreadable bus message dropped: {}", nodeId(), e.getOriginalMessage());
            return;
        }
        if (message instanceof ClusterMessage.Reply reply) {
            CompletableFuture<String> waiting = pending.get(reply.id());
            if (waiting != null) {
                waiting.complete(reply.frame());
            }
            return;
        }
        work.execute(() -> handle(message));
    }

    private void handle(ClusterMessage message) {
        Receiver r = receiver;
        try {
            if (message instanceof ClusterMessage.Wake w) {
                r.wake(w.sessionId(), new LoggedEvent(w.seq(), w.frame()));
            } else if (message instanceof ClusterMessage.Moved m) {
                r.moved(m.sessionId());
            } else if (message instanceof ClusterMessage.Forward f) {
                Request request = protocol.decode(f.frame(), true);
                answer(f.from(), f.id(), request.id(), r.forwarded(f.sessionId(), request));
            } else if (message instanceof ClusterMessage.EndCall e) {
                answer(e.from(), e.id(), IntNode.valueOf(0), r.endCall(e.callId(), e.cause()));
            }
        } catch (RuntimeException e) {
            log.error("node {}: {} failed", nodeId(), message.getClass().getSimpleName(), e);
        }
    }

    private void answer(String to, String id, JsonNode rpcId, CompletionStage<Object> outcome) {
        outcome.whenComplete((result, failure) -> {
            String frame;
            if (failure == null) {
                frame = protocol.result(rpcId, result != null ? result : Results.Empty.INSTANCE);
            } else if (unwrap(failure) instanceof GatewayException g) {
                frame = protocol.error(rpcId, g.code(), g.getMessage());
            } else {
                log.error("node {}: request from node {} failed", nodeId(), to, failure);
                frame = protocol.error(rpcId, ErrorCode.INTERNAL_ERROR, "internal error");
            }
            post(to, new ClusterMessage.Reply(id, frame));
        });
    }

    @Override
    public void resubscribed() {
        work.execute(() -> {
            Receiver r = receiver;
            if (r != null) {
                r.catchUp();
            }
        });
    }

    private String encode(ClusterMessage message) {
        try {
            return json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
