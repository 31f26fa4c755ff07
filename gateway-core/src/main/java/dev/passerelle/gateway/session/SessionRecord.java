package dev.passerelle.gateway.session;

import java.time.Instant;
import java.util.Objects;

/**
 * A logged-in web session: one browser tab. Immutable; the store replaces it whole.
 *
 * @param nodeId the node whose WebSocket holds the session
 * @param detachedAt when its socket dropped, or null while attached
 */
public record SessionRecord(
        String sessionId,
        String resumeToken,
        String user,
        String sipUri,
        String displayName,
        String device,
        String nodeId,
        Instant createdAt,
        Instant detachedAt) {

    public SessionRecord {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(resumeToken, "resumeToken");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sipUri, "sipUri");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public boolean attached() {
        return detachedAt == null;
    }

    public SessionRecord detached(Instant at) {
        return new SessionRecord(sessionId, resumeToken, user, sipUri, displayName, device, nodeId, createdAt, at);
    }

    public SessionRecord attachedTo(String node) {
        return new SessionRecord(sessionId, resumeToken, user, sipUri, displayName, device, node, createdAt, null);
    }
}
