package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.signaling.Request;
import dev.passerelle.gateway.signaling.RequestHandler;
import java.util.Map;
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
 *       with is the result sent back; an exception becomes the error response.</li>
 *   <li>{@code from("websession:detached")}: a logged-in session's socket closed; body: session id.</li>
 *   <li>{@code to("websession:events")}: delivers the body, a {@link Delivery} or a collection of
 *       them, through the session event log.</li>
 * </ul>
 */
final class WebSessionComponent extends DefaultComponent implements RequestHandler {
    static final String DETACHED = "detached";
    static final String EVENTS = "events";

    private final EventOutbox outbox;
    private final NamedConsumer.Registry<WebSessionConsumer> consumers = new NamedConsumer.Registry<>("websession");

    WebSessionComponent(EventOutbox outbox) {
        this.outbox = outbox;
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

    @Override
    public CompletionStage<Object> handle(String connectionId, String sessionId, Request request) {
        WebSessionConsumer consumer = consumers.get(request.method().wireName());
        if (consumer == null) {
            return CompletableFuture.failedFuture(new GatewayException(ErrorCode.METHOD_NOT_FOUND,
                    request.method().wireName() + " is not served by this node"));
        }
        return consumer.dispatch(connectionId, sessionId, request.method().wireName(), request.params());
    }

    @Override
    public void sessionDetached(String sessionId) {
        WebSessionConsumer consumer = consumers.get(DETACHED);
        if (consumer != null) {
            consumer.dispatch(null, sessionId, DETACHED, sessionId);
        }
    }
}
