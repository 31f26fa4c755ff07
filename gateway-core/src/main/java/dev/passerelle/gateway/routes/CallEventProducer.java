package dev.passerelle.gateway.routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.connector.spi.ProviderListener;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code passerelle:call-event}: the body, a JSON object {@code {callId, event, code?, reason?,
 * sdp?}} (text, or the tree or map a route built), is handed to the provider listener of that call:
 * <ul>
 *   <li>{@code progress}: {@code code} 101-199 (180 when absent), {@code sdp} for early media;</li>
 *   <li>{@code accepted}: {@code sdp} required;</li>
 *   <li>{@code ended}: {@code code} 200 (hung up after the answer, the default) or 300-699 (refused).</li>
 * </ul>
 * A body that is none of these fails the exchange with a {@link CallEventException} and leaves the
 * call untouched. An event for a call that is unknown here or already over is ignored (DEBUG): a
 * partner's late or repeated event is not an error.
 */
final class CallEventProducer extends DefaultProducer {
    private static final Logger log = LoggerFactory.getLogger(CallEventProducer.class);

    CallEventProducer(PasserelleEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public PasserelleEndpoint getEndpoint() {
        return (PasserelleEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) {
        PasserelleComponent component = getEndpoint().getComponent();
        JsonNode event = parse(exchange.getMessage(), component);
        String callId = text(event, "callId", true);
        String kind = text(event, "event", true);
        String reason = text(event, "reason", false);
        String sdp = text(event, "sdp", false);
        switch (kind) {
            case "progress" -> {
                int code = code(event, 180, 101, 199);
                deliver(component, callId, kind, l -> l.progress(code, reason == null ? reasonOf(code) : reason, sdp));
            }
            case "accepted" -> {
                if (sdp == null) {
                    throw new CallEventException("call-event: 'accepted' needs 'sdp', the far end's answer");
                }
                deliver(component, callId, kind, l -> l.accepted(sdp));
            }
            case "ended" -> {
                int code = code(event, 200, 200, 699);
                if (code > 200 && code < 300) {
                    throw new CallEventException("call-event: 'code' of 'ended' is 200 or 300-699, not " + code);
                }
                deliver(component, callId, kind, l -> l.ended(code, reason == null ? reasonOf(code) : reason));
            }
            default -> throw new CallEventException(
                    "call-event: 'event' must be progress, accepted or ended, not '" + kind + "'");
        }
    }

    private static void deliver(PasserelleComponent component, String callId, String kind,
            Consumer<ProviderListener> action) {
        ProviderListener listener = kind.equals("ended") ? component.take(callId) : component.listener(callId);
        if (listener == null) {
            log.debug("call-event {} for call {}: no such call in progress here, ignored", kind, callId);
            return;
        }
        action.accept(listener);
    }

    private static JsonNode parse(Message in, PasserelleComponent component) {
        Object body = in.getBody();
        JsonNode node;
        if (body instanceof JsonNode tree) {
            node = tree;
        } else if (body instanceof Map<?, ?> map) {
            node = component.json().valueToTree(map);
        } else {
            String text = in.getBody(String.class);
            if (text == null || text.isBlank()) {
                throw new CallEventException("call-event: the body is empty; expected {callId, event, ...}");
            }
            try {
                node = component.json().readTree(text);
            } catch (JsonProcessingException e) {
                throw new CallEventException("call-event: the body is not JSON: " + e.getOriginalMessage());
            }
        }
        if (node == null || !node.isObject()) {
            throw new CallEventException("call-event: the body must be a JSON object {callId, event, ...}");
        }
        return node;
    }

    private static String text(JsonNode event, String field, boolean required) {
        JsonNode value = event.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new CallEventException("call-event: '" + field + "' is required");
            }
            return null;
        }
        if (!value.isTextual() || (required && value.asText().isBlank())) {
            throw new CallEventException("call-event: '" + field + "' must be a non-empty string");
        }
        return value.asText();
    }

    private static int code(JsonNode event, int absent, int min, int max) {
        JsonNode value = event.get("code");
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min || value.asInt() > max) {
            throw new CallEventException("call-event: 'code' must be an integer from " + min + " to " + max
                    + ", not " + value);
        }
        return value.asInt();
    }

    private static String reasonOf(int code) {
        return switch (code) {
            case 180 -> "Ringing";
            case 183 -> "Session Progress";
            case 200 -> "hung up";
            case 486 -> "Busy Here";
            case 603 -> "Decline";
            default -> code < 200 ? "progress" : "ended by the provider";
        };
    }
}
