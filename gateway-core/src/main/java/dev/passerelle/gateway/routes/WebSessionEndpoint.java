package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.signaling.Method;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code websession:<method>} (consumer), {@code websession:detached} (consumer), {@code websession:events} (producer). */
final class WebSessionEndpoint extends DefaultEndpoint {
    private final String name;

    WebSessionEndpoint(String uri, WebSessionComponent component, String name) {
        super(uri, component);
        this.name = name;
    }

    @Override
    public WebSessionComponent getComponent() {
        return (WebSessionComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        if (!name.equals(WebSessionComponent.EVENTS)) {
            throw new IllegalArgumentException("websession:" + name + " cannot be sent to; only websession:events");
        }
        return new WebSessionProducer(this, getComponent().outbox());
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!name.equals(WebSessionComponent.DETACHED) && Method.byWireName(name).isEmpty()) {
            throw new IllegalArgumentException("websession:" + name + " is neither a protocol method nor 'detached'");
        }
        WebSessionConsumer consumer = new WebSessionConsumer(this, processor, name);
        configureConsumer(consumer);
        return consumer;
    }
}
