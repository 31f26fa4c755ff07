package dev.passerelle.gateway.session;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A logged-in web session: one browser tab. Immutable; the store replaces it whole.
 *
 * @param nodeId the node whose WebSocket holds the session
 * @param detachedAt when its socket dropped, or null while attached
 * @param dialAllow the destination patterns the user may call (the identity's dial plan, kept so
 *     that any node checks a {@code call.invite} the same way); {@code ["*"]} when absent
 * @param dialDeny the destination patterns the user may not call; empty when absent
 * @param registration the registration on the user's behalf (IMS mode), or null when none was
 *     attempted (and in records written before it existed)
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
        Instant detachedAt,
        List<String> dialAllow,
        List<String> dialDeny,
        RegistrationStatus registration) {

    public SessionRecord {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(resumeToken, "resumeToken");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sipUri, "sipUri");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(createdAt, "createdAt");
        // A record written before dial plans existed permits everything, as it did then.
        dialAllow = dialAllow == null ? List.of("*") : List.copyOf(dialAllow);
        dialDeny = dialDeny == null ? List.of() : List.copyOf(dialDeny);
    }

    /** A session with no registration on the user's behalf. */
    public SessionRecord(String sessionId, String resumeToken, String user, String sipUri, String displayName,
            String device, String nodeId, Instant createdAt, Instant detachedAt, List<String> dialAllow,
            List<String> dialDeny) {
        this(sessionId, resumeToken, user, sipUri, displayName, device, nodeId, createdAt, detachedAt, dialAllow,
                dialDeny, null);
    }

    /** A session whose user may call any destination. */
    public SessionRecord(String sessionId, String resumeToken, String user, String sipUri, String displayName,
            String device, String nodeId, Instant createdAt, Instant detachedAt) {
        this(sessionId, resumeToken, user, sipUri, displayName, device, nodeId, createdAt, detachedAt, null, null,
                null);
    }

    public boolean attached() {
        return detachedAt == null;
    }

    public SessionRecord detached(Instant at) {
        return new SessionRecord(sessionId, resumeToken, user, sipUri, displayName, device, nodeId, createdAt, at,
                dialAllow, dialDeny, registration);
    }

    public SessionRecord attachedTo(String node) {
        return new SessionRecord(sessionId, resumeToken, user, sipUri, displayName, device, node, createdAt, null,
                dialAllow, dialDeny, registration);
    }

    public SessionRecord withRegistration(RegistrationStatus status) {
        return new SessionRecord(sessionId, resumeToken, user, sipUri, displayName, device, nodeId, createdAt,
                detachedAt, dialAllow, dialDeny, status);
    }
}
