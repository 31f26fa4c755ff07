package dev.passerelle.gateway.routes;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What one node says to another over the bus. Frames inside are the client protocol's own, written
 * and read by the one {@link dev.passerelle.gateway.signaling.ProtocolCodec}; the envelope is
 * {@code {"type": ..., ...}}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ClusterMessage.Wake.class, name = "wake"),
    @JsonSubTypes.Type(value = ClusterMessage.Moved.class, name = "moved"),
    @JsonSubTypes.Type(value = ClusterMessage.Forward.class, name = "forward"),
    @JsonSubTypes.Type(value = ClusterMessage.EndCall.class, name = "end-call"),
    @JsonSubTypes.Type(value = ClusterMessage.Reply.class, name = "reply")
})
sealed interface ClusterMessage {

    /** Event {@code seq} was logged for a session whose socket is on the receiver: push it. */
    record Wake(String sessionId, long seq, String frame) implements ClusterMessage {}

    /** The session was resumed on another node: the receiver lets go of its old socket. */
    record Moved(String sessionId) implements ClusterMessage {}

    /**
     * A client request about a call the receiver drives, as a JSON-RPC request frame; answered by
     * a {@link Reply} to {@code from} carrying the JSON-RPC response frame.
     */
    record Forward(String id, String from, String sessionId, String frame) implements ClusterMessage {}

    /** Ends a call the receiver drives (logout, expiry of a session elsewhere); answered by a {@link Reply}. */
    record EndCall(String id, String from, String callId, EndCause cause) implements ClusterMessage {}

    /** The outcome of a {@link Forward} or an {@link EndCall}: a JSON-RPC response frame. */
    record Reply(String id, String frame) implements ClusterMessage {}
}
