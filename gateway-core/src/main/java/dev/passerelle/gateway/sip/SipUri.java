package dev.passerelle.gateway.sip;

/**
 * A {@code sip:}, {@code sips:} or {@code tel:} URI as parsed by the SIP side.
 *
 * @param scheme {@code sip}, {@code sips} or {@code tel}
 * @param user the user part of a SIP URI, or the number of a tel URI; null when absent
 * @param host the host of a SIP URI; null for a tel URI
 */
public record SipUri(String scheme, String user, String host) {}
