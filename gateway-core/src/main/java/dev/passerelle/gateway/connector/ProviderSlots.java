package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ProviderConnector;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider connectors in use, one slot per name, asked in the order of their names so that
 * which provider gets a destination two of them claim does not depend on load order. The registry
 * adds and removes slots; claims read them concurrently.
 */
final class ProviderSlots implements Providers {
    private static final Logger log = LoggerFactory.getLogger(ProviderSlots.class);

    private final ConcurrentNavigableMap<String, Slot<ProviderConnector>> slots = new ConcurrentSkipListMap<>();

    /**
     * The first provider, by name, that claims {@code destination}, its instance held until the
     * claim is closed. A provider that throws from {@code claims} is passed over.
     */
    @Override
    public Optional<Claim> claim(String destination) {
        for (Slot<ProviderConnector> slot : slots.values()) {
            ConnectorInstance<ProviderConnector> in = slot.acquire();
            if (in == null) {
                continue;
            }
            boolean claimed;
            try {
                claimed = in.connector().claims(destination);
            } catch (RuntimeException | LinkageError e) {
                log.warn("{} from {} failed to tell whether it claims a destination: {}", slot.description(),
                        in.origin(), e.toString());
                claimed = false;
            }
            if (claimed) {
                return Optional.of(new Pinned(slot.name(), in));
            }
            in.release();
        }
        return Optional.empty();
    }

    Slot<ProviderConnector> get(String name) {
        return slots.get(name);
    }

    void put(Slot<ProviderConnector> slot) {
        slots.put(slot.name(), slot);
    }

    void remove(String name) {
        slots.remove(name);
    }

    Collection<String> names() {
        return slots.keySet();
    }

    Collection<Slot<ProviderConnector>> all() {
        return slots.values();
    }

    private static final class Pinned implements Claim {
        private final String name;
        private final ConnectorInstance<ProviderConnector> instance;
        private final AtomicBoolean closed = new AtomicBoolean();

        Pinned(String name, ConnectorInstance<ProviderConnector> instance) {
            this.name = name;
            this.instance = instance;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ProviderConnector connector() {
            return instance.connector();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                instance.release();
            }
        }
    }
}
