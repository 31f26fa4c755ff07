package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.Params;
import dev.passerelle.gateway.signaling.Request;
import dev.passerelle.gateway.signaling.RequestHandler;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The Camel component of the WebSocket side, scheme {@code websession}.
 * <ul>
 *   <li>{@code from("websession:<method>")}: client requests of that JSON-RPC method; the body is
 *       the method's {@link dev.passerelle.gateway.signaling.Params} record, headers
 *       {@link Headers#SESSION_ID} and {@link Headers#CONNECTION_ID}. The body the route ends
 *       with is the result sent back, or a {@link java.util.concurrent.CompletionStage} of it
 *       for a result that comes later; an exception becomes the error response.</li>
 *   <li>{@code from("websession:detached")}: a logged-in session's socket closed; body: session id.</li>
 *   <li>{@code to("websession:events")}: delivers the body, a {@link Delivery} or a collection of
 *       them, through the session event log.</li>
 * </ul>
 */
final class WebSessionComponent extends DefaultComponent implements RequestHandler {
    static final String DETACHED = "detached";
    static final String EVENTS = "events";

    private final EventOutbox outbox;
    private final SessionStore store;
    private final Cluster cluster;
    private final NamedConsumer.Registry<WebSessionConsumer> consumers = new NamedConsumer.Registry<>("websession");

    WebSessionComponent(EventOutbox outbox, SessionStore store, Cluster cluster) {
        this.outbox = outbox;
        this.store = store;
        this.cluster = cluster;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new WebSessionEndpoint(uri, this, remaining);
    }

    EventOutbox outbox() {
        return outbox;
    }

    NamedConsumer.Registry<WebSessionConsumer> consumers() {
        return consumers;
    }

    /**
     * A request about a call that another node drives goes to that node, whose routes handle it
     * as if its client had sent it there; everything else is handled here.
     */
    @Override
    public CompletionStage<Object> handle(String connectionId, String sessionId, Request request) {
        Optional<CallRecord> call = callOf(request.params()).flatMap(store::call);
        if (call.isPresent() && !cluster.isLocal(call.get().ownerNode())) {
            String owner = call.get().ownerNode();
            if (!cluster.isAlive(owner)) {
                return CompletableFuture.failedFuture(new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                        "the node that drove call " + call.get().callId() + " is gone; it is being taken over, try again"));
            }
            return cluster.forward(owner, sessionId, request);
        }
        return handleHere(connectionId, sessionId, request);
    }

    /** A request forwarded by another node, or one about nothing another node drives. */
    CompletionStage<Object> handleHere(String connectionId, String sessionId, Request request) {
        WebSessionConsumer consumer = consumers.get(request.method().wireName());
        if (consumer == null) {
            return CompletableFuture.failedFuture(new GatewayException(ErrorCode.METHOD_NOT_FOUND,
                    request.method().wireName() + " is not served by this node"));
        }
        return consumer.dispatch(connectionId, sessionId, request.method().wireName(), request.params());
    }

    /** The call a request is about, for the methods that name one. */
    private static Optional<String> callOf(Params params) {
        if (params instanceof Params.Answer a) {
            return Optional.ofNullable(a.callId());
        } else if (params instanceof Params.Reject r) {
            return Optional.ofNullable(r.callId());
        } else if (params instanceof Params.Hangup h) {
            return Optional.ofNullable(h.callId());
        } else if (params instanceof Params.Dtmf d) {
            return Optional.ofNullable(d.callId());
        } else if (params instanceof Params.Transfer t) {
            return Optional.ofNullable(t.callId());
        } else if (params instanceof Params.Invite i) {
            // A call placed at a SIP peer's request is placed where that peer's call is driven:
            // that node holds the REFER to report to.
            return Optional.ofNullable(i.referredBy());
        }
        return Optional.empty();
    }

    @Override
    public void sessionDetached(String sessionId) {
        WebSessionConsumer consumer = consumers.get(DETACHED);
        if (consumer != null) {
            consumer.dispatch(null, sessionId, DETACHED, sessionId);
        }
    }
}
