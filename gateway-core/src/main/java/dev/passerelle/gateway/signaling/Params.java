package dev.passerelle.gateway.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.Map;

/** The params of each client-to-gateway method, decoded and validated by {@link ProtocolCodec}. */
public sealed interface Params {

    /** {@code session.login}. */
    record Login(String token, String device) implements Params {}

    /** {@code session.resume}. */
    record Resume(String resumeToken, long lastSeq) implements Params {}

    /** {@code session.ack} (a notification). */
    record Ack(long seq) implements Params {}

    /** {@code session.logout}. */
    record Logout() implements Params {}

    /**
     * {@code call.invite}; {@code referredBy} is the call id of the call whose peer asked for this
     * one ({@code call.referred}), or null.
     */
    record Invite(String to, String sdp, Map<String, String> headers, String referredBy) implements Params {
        public Invite {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }

        public Invite(String to, String sdp, Map<String, String> headers) {
            this(to, sdp, headers, null);
        }
    }

    /** {@code call.answer}. */
    record Answer(String callId, String sdp) implements Params {}

    /** {@code call.reject}; {@code code} is 486 when the client gave none. */
    record Reject(String callId, int code) implements Params {}

    /** {@code call.hangup}. */
    record Hangup(String callId) implements Params {}

    /**
     * {@code call.update}: a new offer within an established call (hold, resume, add or drop
     * video, ICE restart). Also the params of the gateway's {@code call.update} request to a
     * client, where {@code sdp} is the other side's offer.
     */
    record Update(String callId, String sdp) implements Params {}

    /**
     * {@code call.dtmf}: {@code tones} is 1 to {@value #MAX_TONES} of {@code 0-9 * # A-D}, letters
     * upper-cased; {@code durationMs} is how long each tone lasts, {@value #MIN_DURATION_MS} to
     * {@value #MAX_DURATION_MS}, {@value #DEFAULT_DURATION_MS} when the client gave none.
     */
    record Dtmf(String callId, String tones, int durationMs) implements Params {
        public static final int MAX_TONES = 32;
        public static final int MIN_DURATION_MS = 40;
        public static final int MAX_DURATION_MS = 2000;
        public static final int DEFAULT_DURATION_MS = 160;
    }

    /** {@code call.transfer}: {@code to} is read like the {@code to} of {@code call.invite}. */
    record Transfer(String callId, String to) implements Params {}

    /**
     * {@code presence.publish}: {@code status} is one of {@link #STATUSES}; {@code note} is free
     * text of at most {@value #MAX_NOTE} characters, or null.
     */
    record PresencePublish(String status, String note) implements Params {
        public static final List<String> STATUSES = List.of("available", "away", "busy", "offline");
        public static final int MAX_NOTE = 256;
    }

    /** {@code presence.subscribe} and {@code presence.unsubscribe}: {@code to} is read like the {@code to} of {@code call.invite}. */
    record PresenceTarget(String to) implements Params {}

    /** {@code qos.report}: the client's summary of its {@code getStats()} for one call. */
    record QosReport(String callId, List<Stream> streams) implements Params {
        /** At most this many streams in one report. */
        public static final int MAX_STREAMS = 16;
        /** The longest codec name accepted. */
        public static final int MAX_CODEC_LENGTH = 32;

        public QosReport {
            streams = List.copyOf(streams);
        }

        /**
         * One media stream in one direction; every figure may be null (not reported).
         *
         * @param kind {@code audio} or {@code video}
         * @param direction {@code inbound} (received) or {@code outbound} (sent)
         * @param packetsLost may be negative: duplicates make the RFC 3550 §6.4.1 count go below zero
         * @param mos 1 to 5
         */
        public record Stream(String kind, String direction, String codec, Long packets, Long packetsLost, Long bytes,
                Double jitterMs, Double roundTripMs, Double mos) {}
    }

    /**
     * {@code message.send}: {@code body} is 1 to {@value #MAX_BODY_BYTES} bytes of UTF-8;
     * {@code contentType} a {@code text/*} or {@code application/*} media type whose charset, if
     * named, is UTF-8, {@value #DEFAULT_CONTENT_TYPE} when the client gave none.
     */
    record MessageSend(String to, String body, String contentType) implements Params {
        /** RFC 3428 §9 asks for small messages; this bounds what one message may carry. */
        public static final int MAX_BODY_BYTES = 16 * 1024;
        public static final String DEFAULT_CONTENT_TYPE = "text/plain;charset=UTF-8";

        // RFC 3261 §20.15 / RFC 2045 §5.1: type "/" subtype *( ";" attribute "=" value ), tokens
        // or a quoted-string value.
        private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
        private static final Pattern MEDIA_TYPE = Pattern.compile("(" + TOKEN + ")/(" + TOKEN + ")((\\s*;\\s*"
                + TOKEN + "=(" + TOKEN + "|\"[^\"\\\\\\r\\n]*\"))*)\\s*");
        private static final Pattern CHARSET = Pattern.compile(";\\s*charset=\"?([^\";\\s]+)\"?",
                Pattern.CASE_INSENSITIVE);

        /**
         * Why {@code contentType} cannot be the type of a message body, or null when it can: it
         * must be a media type, of type {@code text} or {@code application} (the body is text in a
         * JSON string), and name no charset but UTF-8.
         */
        public static String refusal(String contentType) {
            var m = MEDIA_TYPE.matcher(contentType);
            if (!m.matches()) {
                return "must be a media type type/subtype[;parameter=value]";
            }
            String type = m.group(1).toLowerCase(Locale.ROOT);
            if (!type.equals("text") && !type.equals("application")) {
                return "must be a text/* or application/* type";
            }
            var charset = CHARSET.matcher(m.group(3));
            if (charset.find() && !charset.group(1).equalsIgnoreCase("utf-8")) {
                return "may only name charset UTF-8";
            }
            return null;
        }

        /** The body's size in UTF-8 bytes. */
        public static int utf8Bytes(String body) {
            return body.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    /**
     * {@code data.send}: {@code to} names a web user; {@code payload} is any JSON value of at most
     * {@value #MAX_PAYLOAD_BYTES} bytes once written as JSON.
     */
    record DataSend(String to, JsonNode payload) implements Params {
        public static final int MAX_PAYLOAD_BYTES = 16 * 1024;

        public DataSend {
            payload = payload.deepCopy();
        }

        @Override
        public JsonNode payload() {
            return payload.deepCopy();
        }
    }
}
