package dev.passerelle.gateway.routes;

import org.apache.camel.Consumer;
import org.apache.camel.MultipleConsumersSupport;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code passerelle:provider:<name>?destinations=...} and {@code passerelle:webhook:<path>} to
 * consume, {@code passerelle:call-event} to produce; see {@link PasserelleComponent}.
 */
final class PasserelleEndpoint extends DefaultEndpoint implements MultipleConsumersSupport {
    private final Kind kind;
    private final String name;
    private final String destinations;

    enum Kind { PROVIDER, WEBHOOK, CALL_EVENT }

    PasserelleEndpoint(String uri, PasserelleComponent component, Kind kind, String name, String destinations) {
        super(uri, component);
        this.kind = kind;
        this.name = name;
        this.destinations = destinations;
    }

    @Override
    public PasserelleComponent getComponent() {
        return (PasserelleComponent) super.getComponent();
    }

    /** Two versions of a route file consume the same endpoint while the old one finishes its calls. */
    @Override
    public boolean isMultipleConsumersSupported() {
        return true;
    }

    @Override
    public Producer createProducer() {
        if (kind != Kind.CALL_EVENT) {
            throw new IllegalArgumentException(getEndpointUri() + " only consumes; passerelle:call-event produces");
        }
        return new CallEventProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        Consumer consumer = switch (kind) {
            case PROVIDER -> new ProviderConsumer(this, processor, name, destinations);
            case WEBHOOK -> new WebhookConsumer(this, processor, name);
            case CALL_EVENT -> throw new IllegalArgumentException(
                    "passerelle:call-event only produces; consume passerelle:provider or passerelle:webhook");
        };
        configureConsumer(consumer);
        return consumer;
    }
}
