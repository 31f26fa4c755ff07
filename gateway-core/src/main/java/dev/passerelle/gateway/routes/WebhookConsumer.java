package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.signaling.Webhooks;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code passerelle:webhook:<path>}: one exchange per {@code POST /connectors/<path>}, run on the
 * request's thread. In: the body as text (UTF-8) and the request headers, except those named like
 * Camel's or the gateway's own ({@code Camel*}, {@code Passerelle*}), which a caller could
 * otherwise use to steer the route (camel-http obeys {@code CamelHttpUri}). Out: the exchange's
 * body, with status {@code CamelHttpResponseCode} (200 when unset) and {@code Content-Type}; a
 * failed exchange answers 400 when a {@code passerelle:call-event} refused the event, else 500,
 * with the failure's message.
 */
final class WebhookConsumer extends DefaultConsumer {
    private static final Logger log = LoggerFactory.getLogger(WebhookConsumer.class);

    private final String path;

    WebhookConsumer(PasserelleEndpoint endpoint, Processor processor, String path) {
        super(endpoint, processor);
        this.path = path;
    }

    @Override
    public PasserelleEndpoint getEndpoint() {
        return (PasserelleEndpoint) super.getEndpoint();
    }

    String path() {
        return path;
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

    /**
     * Runs the route for one request. Its version is pinned meanwhile: the event may end the last
     * call of a version no longer in use, whose routes must not stop under this very exchange.
     */
    Webhooks.Reply handle(Map<String, String> headers, byte[] body) {
        RouteVersion version = getEndpoint().getComponent().versionOf(getRouteId());
        if (!version.pin()) {
            return text(404, "no connector endpoint " + path + " any more");
        }
        try {
            return run(headers, body);
        } finally {
            version.unpin();
        }
    }

    private Webhooks.Reply run(Map<String, String> headers, byte[] body) {
        Exchange exchange = createExchange(false);
        try {
            Message in = exchange.getMessage();
            headers.forEach((name, value) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!lower.startsWith("camel") && !lower.startsWith("passerelle")) {
                    in.setHeader(name, value);
                }
            });
            in.setBody(new String(body, StandardCharsets.UTF_8));
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        try {
            Exception failure = exchange.getException();
            if (failure != null) {
                CallEventException refused = exchange.getException(CallEventException.class);
                if (refused != null) {
                    return text(400, refused.getMessage());
                }
                log.warn("passerelle:webhook:{} failed: {}", path, failure.toString(), failure);
                return text(500, String.valueOf(failure.getMessage()));
            }
            Message out = exchange.getMessage();
            Integer status = out.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            String reply = out.getBody(String.class);
            return new Webhooks.Reply(status == null ? 200 : status, out.getHeader(Exchange.CONTENT_TYPE, String.class),
                    reply == null ? new byte[0] : reply.getBytes(StandardCharsets.UTF_8));
        } finally {
            releaseExchange(exchange, false);
        }
    }

    private static Webhooks.Reply text(int status, String message) {
        return new Webhooks.Reply(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }
}
