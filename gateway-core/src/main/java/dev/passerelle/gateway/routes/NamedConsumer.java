package dev.passerelle.gateway.routes;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/**
 * A consumer that its component finds by endpoint name while it runs: the components push what
 * their side reports into the consumer of that name. One route per name.
 */
abstract class NamedConsumer extends DefaultConsumer {

    /** The running consumers of one component, by name. */
    static final class Registry<C extends NamedConsumer> {
        private final String scheme;
        private final Map<String, C> byName = new ConcurrentHashMap<>();

        Registry(String scheme) {
            this.scheme = scheme;
        }

        C get(String name) {
            return byName.get(name);
        }

        private void register(String name, C consumer) {
            if (byName.putIfAbsent(name, consumer) != null) {
                throw new IllegalStateException("two routes consume " + scheme + ":" + name);
            }
        }

        private void unregister(String name, C consumer) {
            byName.remove(name, consumer);
        }
    }

    private final String name;
    private final Registry<NamedConsumer> registry;

    @SuppressWarnings("unchecked")
    NamedConsumer(Endpoint endpoint, Processor processor, String name, Registry<? extends NamedConsumer> registry) {
        super(endpoint, processor);
        this.name = name;
        this.registry = (Registry<NamedConsumer>) registry;
    }

    String name() {
        return name;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        registry.register(name, this);
    }

    @Override
    protected void doStop() throws Exception {
        registry.unregister(name, this);
        super.doStop();
    }
}
