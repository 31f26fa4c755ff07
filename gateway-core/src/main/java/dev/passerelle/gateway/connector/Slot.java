package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorKind;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The place of one connector in use, {@code name} of {@code kind}, whose instance the registry
 * swaps atomically as units come and go. Whoever uses the instance holds it for that time
 * ({@link #acquire}), so an instance swapped out is closed only once its last user let go.
 *
 * @param <C> the connector interface of the kind
 */
final class Slot<C extends AutoCloseable> {
    private final ConnectorKind kind;
    private final String name;
    private final ConnectorContext context;
    private final AtomicReference<ConnectorInstance<C>> current = new AtomicReference<>();

    /** @param context the settings every instance of this slot is created from */
    Slot(ConnectorKind kind, String name, ConnectorContext context) {
        this.kind = kind;
        this.name = name;
        this.context = context;
    }

    /** {@code identity}, {@code qos}, {@code media}, {@code provider}: the kind in log lines. */
    static String label(ConnectorKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    ConnectorKind kind() {
        return kind;
    }

    String name() {
        return name;
    }

    ConnectorContext context() {
        return context;
    }

    /** E.g. {@code identity connector 'jwt'}. */
    String description() {
        return label(kind) + " connector '" + name + "'";
    }

    /**
     * The instance in use, held for the caller, who releases it; null when none is installed. An
     * instance that lost its last holder was already swapped out, so the loop reads the newer one.
     */
    ConnectorInstance<C> acquire() {
        while (true) {
            ConnectorInstance<C> in = current.get();
            if (in == null || in.acquire()) {
                return in;
            }
        }
    }

    /** The instance in use, not held: for the registry's decisions and descriptions only. */
    ConnectorInstance<C> current() {
        return current.get();
    }

    /**
     * Puts {@code next} (null: none installed) in use and lets go of the previous instance, which
     * is closed once the users still on it let go.
     *
     * @return the previous instance, already released: for its description only
     */
    ConnectorInstance<C> swap(ConnectorInstance<C> next) {
        ConnectorInstance<C> previous = current.getAndSet(next);
        if (previous != null) {
            previous.release();
        }
        return previous;
    }
}
