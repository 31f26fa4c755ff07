package dev.passerelle.gateway.signaling;

import java.util.List;
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
}
