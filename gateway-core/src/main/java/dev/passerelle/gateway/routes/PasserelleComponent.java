package dev.passerelle.gateway.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.passerelle.connector.spi.ProviderConnector;
import dev.passerelle.connector.spi.ProviderListener;
import dev.passerelle.gateway.connector.Providers;
import dev.passerelle.gateway.signaling.Webhooks;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The Camel component route files use to plug a provider into the gateway, scheme {@code
 * passerelle} (docs/connectors.md lists every option and header):
 * <ul>
 *   <li>{@code passerelle:provider:<name>?destinations=<glob>,<glob>} (consumer): a provider that
 *       claims the destinations matching one of the globs ({@code *} for any run of characters,
 *       whole match, case-insensitive). It gets one exchange per command, header {@value
 *       #COMMAND} = {@code invite} or {@code hangup}, {@value #CALL_ID} = the call id, body JSON.</li>
 *   <li>{@code passerelle:call-event} (producer): a JSON event about a call, handed to that call's
 *       provider listener as if from SIP.</li>
 *   <li>{@code passerelle:webhook:<path>} (consumer): {@code POST /connectors/<path>} on the
 *       gateway's HTTP listener.</li>
 * </ul>
 * Several versions of a route file may run at once: new calls go to the newest current version
 * that claims them, a call keeps the version that placed it, and the newest running version that
 * serves a webhook path serves it.
 */
final class PasserelleComponent extends DefaultComponent implements Providers, Webhooks {

    /** Header of a provider command: {@code invite} or {@code hangup}. */
    static final String COMMAND = "PasserelleCommand";
    /** Header of a provider command: the call it is about. */
    static final String CALL_ID = "PasserelleCallId";

    private final Function<String, RouteVersion> versions;
    private final Executor work;
    private final ObjectMapper json = JsonMapper.builder().build();
    private final List<ProviderConsumer> providers = new CopyOnWriteArrayList<>();
    private final List<WebhookConsumer> webhooks = new CopyOnWriteArrayList<>();
    /** The listener of each provider call placed through a route, until it ends. */
    private final Map<String, ProviderListener> listeners = new ConcurrentHashMap<>();

    /**
     * @param versions the route-file version of a route id ({@link RouteVersion#BUILT_IN} for others)
     * @param work where provider commands run, off the threads of the calls' requests
     */
    PasserelleComponent(Function<String, RouteVersion> versions, Executor work) {
        this.versions = versions;
        this.work = work;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        int colon = remaining.indexOf(':');
        String kind = colon < 0 ? remaining : remaining.substring(0, colon);
        String name = colon < 0 ? "" : remaining.substring(colon + 1);
        switch (kind) {
            case "provider" -> {
                Object destinations = parameters.remove("destinations");
                if (name.isEmpty() || destinations == null || destinations.toString().isBlank()) {
                    throw new IllegalArgumentException(uri + ": a provider needs a name and ?destinations=<glob>,...");
                }
                return new PasserelleEndpoint(uri, this, PasserelleEndpoint.Kind.PROVIDER, name,
                        destinations.toString());
            }
            case "webhook" -> {
                if (name.isEmpty() || name.startsWith("/") || name.contains("..") || name.contains("?")) {
                    throw new IllegalArgumentException(uri + ": a webhook needs a relative path, as in passerelle:webhook:partner/events");
                }
                return new PasserelleEndpoint(uri, this, PasserelleEndpoint.Kind.WEBHOOK, name, null);
            }
            case "call-event" -> {
                if (!name.isEmpty()) {
                    throw new IllegalArgumentException(uri + ": passerelle:call-event takes nothing after it");
                }
                return new PasserelleEndpoint(uri, this, PasserelleEndpoint.Kind.CALL_EVENT, "", null);
            }
            default -> throw new IllegalArgumentException(
                    uri + ": unknown passerelle endpoint; use passerelle:provider:<name>, passerelle:webhook:<path> or passerelle:call-event");
        }
    }

    ObjectMapper json() {
        return json;
    }

    Executor work() {
        return work;
    }

    RouteVersion versionOf(String routeId) {
        return versions.apply(routeId);
    }

    void register(ProviderConsumer consumer) {
        providers.add(consumer);
    }

    void unregister(ProviderConsumer consumer) {
        providers.remove(consumer);
    }

    void register(WebhookConsumer consumer) {
        webhooks.add(consumer);
    }

    void unregister(WebhookConsumer consumer) {
        webhooks.remove(consumer);
    }

    void listen(String callId, ProviderListener listener) {
        listeners.put(callId, listener);
    }

    /** The listener of a call placed through a route, or null for an unknown or ended call. */
    ProviderListener listener(String callId) {
        return listeners.get(callId);
    }

    /** Forgets the call's listener and returns it, or null when it was not there. */
    ProviderListener take(String callId) {
        return listeners.remove(callId);
    }

    /**
     * The newest current version's provider that claims {@code destination}, pinned for one call:
     * its version keeps running until the claim is closed.
     */
    @Override
    public Optional<Claim> claim(String destination) {
        while (true) {
            ProviderConsumer best = null;
            RouteVersion bestVersion = null;
            for (ProviderConsumer provider : providers) {
                RouteVersion version = versionOf(provider.getRouteId());
                if (version.current() && provider.claims(destination)
                        && (bestVersion == null || version.sequence() > bestVersion.sequence())) {
                    best = provider;
                    bestVersion = version;
                }
            }
            if (best == null) {
                return Optional.empty();
            }
            if (bestVersion.pin()) {
                return Optional.of(new PinnedClaim(best, bestVersion));
            }
            // That version was retired meanwhile; a newer one is in place by now.
        }
    }

    /** Runs the newest running version's endpoint at {@code path}. */
    @Override
    public Optional<Reply> post(String path, Map<String, String> headers, byte[] body) {
        WebhookConsumer best = null;
        long bestSequence = -1;
        for (WebhookConsumer webhook : webhooks) {
            long sequence = versionOf(webhook.getRouteId()).sequence();
            if (webhook.path().equals(path) && sequence > bestSequence) {
                best = webhook;
                bestSequence = sequence;
            }
        }
        return best == null ? Optional.empty() : Optional.of(best.handle(headers, body));
    }

    /** A provider of a route-file version, that version pinned until the call ends. */
    private static final class PinnedClaim implements Claim {
        private final ProviderConsumer provider;
        private final RouteVersion version;
        private final AtomicBoolean closed = new AtomicBoolean();

        PinnedClaim(ProviderConsumer provider, RouteVersion version) {
            this.provider = provider;
            this.version = version;
        }

        @Override
        public String name() {
            return provider.name();
        }

        @Override
        public ProviderConnector connector() {
            return provider.connector();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                version.unpin();
            }
        }
    }
}
