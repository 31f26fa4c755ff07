package dev.passerelle.gateway.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A gateway-to-client notification. On the wire its params are the record's components plus
 * {@code seq}, which the session's event log assigns.
 */
public sealed interface Event {

    /** The JSON-RPC method name of the notification. */
    String method();

    /** Who ended a call, as {@code call.ended} reports it. */
    enum By {
        LOCAL("local"), REMOTE("remote"), GATEWAY("gateway");

        private final String wire;

        By(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    record CallIncoming(String callId, String from, String displayName, String sdp, Map<String, String> headers)
            implements Event {
        public CallIncoming {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }

        @Override
        public String method() {
            return "call.incoming";
        }
    }

    record CallProgress(String callId, int code, String reason, String sdp) implements Event {
        @Override
        public String method() {
            return "call.progress";
        }
    }

    record CallAccepted(String callId, String sdp) implements Event {
        @Override
        public String method() {
            return "call.accepted";
        }
    }

    record CallConfirmed(String callId) implements Event {
        @Override
        public String method() {
            return "call.confirmed";
        }
    }

    record CallEnded(String callId, int code, String reason, By by) implements Event {
        @Override
        public String method() {
            return "call.ended";
        }
    }

    /**
     * The registration on the user's behalf (IMS mode) changed.
     *
     * @param state {@code registered}, {@code failed} or {@code unregistered}
     * @param code the SIP status behind it, or null
     * @param expires when the binding runs out, an ISO-8601 instant; null unless registered
     */
    record RegistrationState(String state, Integer code, String reason, String expires) implements Event {
        @Override
        public String method() {
            return "registration.state";
        }
    }

    /** Tones the other end of the call sent (SIP INFO, or the other browser of a web-to-web call). */
    record CallDtmf(String callId, String tones) implements Event {
        @Override
        public String method() {
            return "call.dtmf";
        }
    }

    /**
     * The SIP peer of the call asks the web user to call {@code to} (a SIP REFER, RFC 3515): the
     * client is expected to place that call with {@code call.invite} and {@code referredBy} set
     * to {@code callId}. {@code referredBy} here is who asked (the REFER's Referred-By), or null.
     */
    record CallReferred(String callId, String to, String referredBy) implements Event {
        @Override
        public String method() {
            return "call.referred";
        }
    }

    /**
     * The presence of what the session subscribed to: {@code user} is the {@code to} of
     * {@code presence.subscribe} as the client wrote it; {@code status} one of {@code available},
     * {@code away}, {@code busy}, {@code offline}; {@code note} free text or null.
     */
    record PresenceUpdate(String user, String status, String note) implements Event {
        @Override
        public String method() {
            return "presence.update";
        }
    }

    /**
     * Progress of a {@code call.transfer}: {@code status} is the SIP status the transfer target
     * answered (100, 180, 200, 486 ...), or the peer's refusal of the REFER itself.
     */
    record CallTransferred(String callId, String to, int status) implements Event {
        @Override
        public String method() {
            return "call.transferred";
        }
    }

    /**
     * A message for the web user: from a SIP peer (MESSAGE, RFC 3428) or from another web user.
     *
     * @param from the sender's URI: a web user's SIP URI, or the SIP sender's asserted identity
     *     from a trusted source, else its From URI
     * @param timestamp when the gateway took the message, an ISO-8601 instant
     */
    record MessageReceived(String messageId, String from, String body, String contentType, String timestamp)
            implements Event {
        @Override
        public String method() {
            return "message.received";
        }
    }

    /**
     * The outcome of a {@code message.send}, to the session that sent it.
     *
     * @param status {@code delivered} or {@code failed}
     * @param code the SIP status behind it (200, 480, 486, 408 ...), or null
     */
    record MessageStatus(String messageId, String status, Integer code) implements Event {
        public static final String DELIVERED = "delivered";
        public static final String FAILED = "failed";

        @Override
        public String method() {
            return "message.status";
        }
    }

    /** A {@code data.send} of another web user (or of another session of the same user). */
    record DataReceived(String from, JsonNode payload) implements Event {
        public DataReceived {
            payload = payload.deepCopy();
        }

        @Override
        public JsonNode payload() {
            return payload.deepCopy();
        }

        @Override
        public String method() {
            return "data.received";
        }
    }
}
