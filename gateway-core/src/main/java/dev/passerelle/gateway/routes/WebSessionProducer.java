package dev.passerelle.gateway.routes;

import java.util.Collection;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/** {@code websession:events}: hands each {@link Delivery} of the body to the event outbox. */
final class WebSessionProducer extends DefaultProducer {
    private final EventOutbox outbox;

    WebSessionProducer(WebSessionEndpoint endpoint, EventOutbox outbox) {
        super(endpoint);
        this.outbox = outbox;
    }

    @Override
    public void process(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof Delivery delivery) {
            outbox.deliver(delivery);
        } else if (body instanceof Collection<?> deliveries) {
            for (Object d : deliveries) {
                outbox.deliver((Delivery) d);
            }
        } else if (body != null) {
            throw new IllegalArgumentException("websession:events takes Delivery bodies, not " + body.getClass().getName());
        }
    }
}
