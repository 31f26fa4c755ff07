package dev.passerelle.gateway.sip;

/**
 * A SIP MESSAGE for a web user (RFC 3428), as the application needs it.
 *
 * @param requestUser the web user it is for: the user part of the Request-URI, or, inside a
 *     dialog (where the Request-URI is the gateway's Contact), of the To URI; null when neither has one
 * @param requestHost the host part of the same URI
 * @param from the sender: the P-Asserted-Identity URI when the request came from an address of
 *     {@code sip.ims.trusted} (RFC 3325 §9.1), else the From URI
 * @param contentType the body's media type with its parameters, as the stack reads it (the body
 *     itself is already decoded)
 * @param body the body, decoded with the charset the type names (UTF-8 when none)
 */
public record InboundMessage(String requestUser, String requestHost, String from, String contentType, String body) {}
