package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/** Turns each client request into an InOut exchange and its outcome into the one response. */
final class WebSessionConsumer extends DefaultConsumer {
    private final String name;

    WebSessionConsumer(WebSessionEndpoint endpoint, Processor processor, String name) {
        super(endpoint, processor);
        this.name = name;
    }

    @Override
    public WebSessionEndpoint getEndpoint() {
        return (WebSessionEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        getEndpoint().getComponent().register(name, this);
    }

    @Override
    protected void doStop() throws Exception {
        getEndpoint().getComponent().unregister(name, this);
        super.doStop();
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
                if (failure != null) {
                    outcome.completeExceptionally(failure);
                } else {
                    outcome.complete(exchange.getMessage().getBody());
                }
                releaseExchange(exchange, false);
            });
        } catch (RuntimeException e) {
            outcome.completeExceptionally(new GatewayException(ErrorCode.INTERNAL_ERROR, "route failed", e));
        }
        return outcome;
    }
}
