package dev.passerelle.gateway.sip;

import java.util.Map;

/**
 * A new INVITE from the SIP network, as the application needs it.
 *
 * @param callId the gateway call id the SIP side gave this leg
 * @param requestUser the user part of the Request-URI (the web user being called), or null
 * @param requestHost the host part of the Request-URI
 * @param fromUri the caller's From URI
 * @param fromDisplayName the From display name, or null
 * @param sdp the offer, or null for an INVITE without body (late offer)
 * @param headers the headers of the request the configured profile shows the browser ({@code
 *     sip.headers.pass}, identity headers only from {@code sip.ims.trusted})
 */
public record InboundInvite(
        String callId,
        String requestUser,
        String requestHost,
        String fromUri,
        String fromDisplayName,
        String sdp,
        Map<String, String> headers) {

    public InboundInvite {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
