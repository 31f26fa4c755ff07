package dev.passerelle.gateway.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.passerelle.connector.spi.DialPlan;
import dev.passerelle.connector.spi.ProviderCall;
import dev.passerelle.connector.spi.ProviderConnector;
import dev.passerelle.connector.spi.ProviderInvite;
import dev.passerelle.connector.spi.ProviderListener;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code passerelle:provider:<name>}: the route is the provider. Each command is one exchange
 * (header {@value PasserelleComponent#COMMAND}, body JSON), run on the gateway's work threads so
 * that the call's request never waits for the partner; the commands of one call run one after the
 * other, in order. An {@code invite} exchange that fails ends the call with 503 and the failure's
 * message; a failing {@code hangup} is only logged (the call is over for the gateway anyway).
 */
final class ProviderConsumer extends DefaultConsumer {
    private static final Logger log = LoggerFactory.getLogger(ProviderConsumer.class);

    private final String name;
    /** Destinations claimed: the globs, as a dial plan allowing exactly them. */
    private final DialPlan claimed;
    private final ProviderConnector connector = new Connector();

    ProviderConsumer(PasserelleEndpoint endpoint, Processor processor, String name, String destinations) {
        super(endpoint, processor);
        this.name = name;
        List<String> globs = Arrays.stream(destinations.split(",")).map(String::trim).filter(g -> !g.isEmpty()).toList();
        this.claimed = new DialPlan(globs, List.of());
    }

    @Override
    public PasserelleEndpoint getEndpoint() {
        return (PasserelleEndpoint) super.getEndpoint();
    }

    String name() {
        return name;
    }

    ProviderConnector connector() {
        return connector;
    }

    boolean claims(String destination) {
        return claimed.permits(destination);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        getEndpoint().getComponent().register(this);
    }

    @Override
    protected void doStop() throws Exception {
        getEndpoint().getComponent().unregister(this);
        super.doStop();
    }

    /** The provider as the routes see it. */
    private final class Connector implements ProviderConnector {

        @Override
        public boolean claims(String destination) {
            return ProviderConsumer.this.claims(destination);
        }

        @Override
        public ProviderCall invite(ProviderInvite invite, ProviderListener listener) {
            PasserelleComponent component = getEndpoint().getComponent();
            ObjectNode body = component.json().createObjectNode();
            body.put("callId", invite.callId());
            ObjectNode from = body.putObject("from");
            from.put("user", invite.from().user());
            from.put("sipUri", invite.from().sipUri());
            from.put("displayName", invite.from().displayName());
            body.put("to", invite.to());
            body.put("sdp", invite.sdp());
            ObjectNode headers = body.putObject("headers");
            invite.headers().forEach(headers::put);
            String callId = invite.callId();
            component.listen(callId, listener);
            Placed placed = new Placed(callId);
            placed.then(() -> {
                Exception failure = run("invite", callId, body);
                if (failure != null && component.take(callId) != null) {
                    log.warn("provider {}: invite of call {} failed: {}", name, callId, failure.getMessage());
                    listener.ended(503, "provider " + name + ": " + failure.getMessage());
                }
            });
            return placed;
        }
    }

    /** One call's commands, chained so that they reach the route in order. */
    private final class Placed implements ProviderCall {
        private final String callId;
        private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

        Placed(String callId) {
            this.callId = callId;
        }

        synchronized void then(Runnable command) {
            tail = tail.thenRunAsync(() -> {
                try {
                    command.run();
                } catch (RuntimeException e) {
                    // Nobody waits for the command: what it threw is only seen here.
                    log.warn("provider {}: a command of call {} failed: {}", name, callId, e.toString(), e);
                }
            }, getEndpoint().getComponent().work());
        }

        @Override
        public void hangup() {
            PasserelleComponent component = getEndpoint().getComponent();
            component.take(callId);
            RouteVersion version = component.versionOf(getRouteId());
            // The hangup runs after the call's claim is let go: it keeps the version up itself.
            boolean pinned = version.pin();
            then(() -> {
                try {
                    ObjectNode body = component.json().createObjectNode().put("callId", callId);
                    Exception failure = run("hangup", callId, body);
                    if (failure != null) {
                        log.warn("provider {}: hangup of call {} failed: {}", name, callId, failure.getMessage());
                    }
                } finally {
                    if (pinned) {
                        version.unpin();
                    }
                }
            });
        }
    }

    /** Runs one command through the route; returns its failure, or null. */
    private Exception run(String command, String callId, ObjectNode body) {
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setHeader(PasserelleComponent.COMMAND, command);
            exchange.getMessage().setHeader(PasserelleComponent.CALL_ID, callId);
            exchange.getMessage().setBody(getEndpoint().getComponent().json().writeValueAsString(body));
            getProcessor().process(exchange);
            return exchange.getException();
        } catch (Exception e) {
            return e;
        } finally {
            releaseExchange(exchange, false);
        }
    }
}
