package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;

/** Turns each client request into an InOut exchange and its outcome into the one response. */
final class WebSessionConsumer extends NamedConsumer {

    WebSessionConsumer(WebSessionEndpoint endpoint, Processor processor, String name) {
        super(endpoint, processor, name, endpoint.getComponent().consumers());
    }

    CompletionStage<Object> dispatch(String connectionId, String sessionId, String method, Object body) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        exchange.getMessage().setHeader(Headers.CONNECTION_ID, connectionId);
        exchange.getMessage().setHeader(Headers.SESSION_ID, sessionId);
        exchange.getMessage().setHeader(Headers.METHOD, method);
        exchange.getMessage().setBody(body);
        try {
            getAsyncProcessor().process(exchange, doneSync -> {
                Exception failure = exchange.getException();
                Object result = exchange.getMessage().getBody();
                if (failure != null) {
                    outcome.completeExceptionally(failure);
                } else if (result instanceof CompletionStage<?> later) {
                    later.whenComplete((r, f) -> {
                        if (f != null) {
                            outcome.completeExceptionally(f);
                        } else {
                            outcome.complete(r);
                        }
                    });
                } else {
                    outcome.complete(result);
                }
                releaseExchange(exchange, false);
            });
        } catch (RuntimeException e) {
            outcome.completeExceptionally(new GatewayException(ErrorCode.INTERNAL_ERROR, "route failed", e));
        }
        return outcome;
    }
}
