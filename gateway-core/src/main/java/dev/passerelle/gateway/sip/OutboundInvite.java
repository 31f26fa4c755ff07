package dev.passerelle.gateway.sip;

import java.util.Map;
import java.util.Objects;

/**
 * A new outbound leg.
 *
 * @param callId the gateway call id the leg is known by (not the SIP Call-ID)
 * @param fromUri the caller's address of record, e.g. {@code sip:alice@example.com}
 * @param fromDisplayName the caller's display name, or null
 * @param target the Request-URI: a {@code sip:}, {@code sips:} or {@code tel:} URI
 * @param sdp the offer for the SIP leg
 * @param headers extra headers the client asked to add, as {@code sip.headers.allow} permits
 */
public record OutboundInvite(
        String callId,
        String fromUri,
        String fromDisplayName,
        String target,
        String sdp,
        Map<String, String> headers) {

    public OutboundInvite {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(fromUri, "fromUri");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(sdp, "sdp");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
