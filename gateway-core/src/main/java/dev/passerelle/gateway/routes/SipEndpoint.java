package dev.passerelle.gateway.routes;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code sip:<event>} to consume, {@code sip:<action>} to produce; see {@link SipComponent}. */
final class SipEndpoint extends DefaultEndpoint {
    private final String name;

    SipEndpoint(String uri, SipComponent component, String name) {
        super(uri, component);
        this.name = name;
    }

    @Override
    public SipComponent getComponent() {
        return (SipComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        if (!SipComponent.ACTIONS.contains(name)) {
            throw new IllegalArgumentException("sip:" + name + " is not a SIP action; actions: " + SipComponent.ACTIONS);
        }
        return new SipProducer(this, getComponent().sip(), name);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!SipComponent.EVENTS.contains(name)) {
            throw new IllegalArgumentException("sip:" + name + " is not a SIP event; events: " + SipComponent.EVENTS);
        }
        SipConsumer consumer = new SipConsumer(this, processor, name);
        configureConsumer(consumer);
        return consumer;
    }
}
