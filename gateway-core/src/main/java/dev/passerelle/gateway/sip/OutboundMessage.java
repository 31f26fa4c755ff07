package dev.passerelle.gateway.sip;

/**
 * A SIP MESSAGE a web user sends outside any dialog (RFC 3428 §4).
 *
 * @param fromUri the web user's SIP URI (the From, and the registration whose credentials answer
 *     a challenge)
 * @param fromDisplayName the From display name, or null
 * @param target the Request-URI: a sip:, sips: or tel: URI
 * @param contentType the body's media type, e.g. {@code text/plain;charset=UTF-8}
 * @param body the body, sent as UTF-8
 */
public record OutboundMessage(String fromUri, String fromDisplayName, String target, String contentType, String body) {}
