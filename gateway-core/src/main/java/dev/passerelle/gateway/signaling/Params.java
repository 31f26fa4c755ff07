package dev.passerelle.gateway.signaling;

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

    /** {@code call.invite}. */
    record Invite(String to, String sdp, Map<String, String> headers) implements Params {
        public Invite {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }

    /** {@code call.answer}. */
    record Answer(String callId, String sdp) implements Params {}

    /** {@code call.reject}; {@code code} is 486 when the client gave none. */
    record Reject(String callId, int code) implements Params {}

    /** {@code call.hangup}. */
    record Hangup(String callId) implements Params {}
}
