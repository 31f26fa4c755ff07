package dev.passerelle.connector.spi;

import java.util.Map;
import java.util.Objects;

/**
 * A web user's call to a destination a provider claimed.
 *
 * @param callId the gateway's call id, the same the web user sees
 * @param from the caller's identity
 * @param to the destination as the web user wrote it
 * @param sdp the caller's offer, after the media anchor
 * @param headers the custom headers of {@code call.invite}, as the gateway let them through
 */
public record ProviderInvite(String callId, Identity from, String to, String sdp, Map<String, String> headers) {

    public ProviderInvite {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(sdp, "sdp");
        headers = Map.copyOf(headers == null ? Map.of() : headers);
    }
}
