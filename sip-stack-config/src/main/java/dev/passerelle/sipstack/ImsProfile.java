package dev.passerelle.sipstack;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The IMS private headers the gateway sets on the INVITEs it sends for web users, and which
 * network elements it trusts to assert an identity. Immutable; the constructor checks every value.
 *
 * @param identity which identity header carries the web user's AOR (RFC 3325 §9)
 * @param accessNetworkInfo the P-Access-Network-Info value (RFC 7315 §5.4, 3GPP TS 24.229
 *     §7.2A.4), or empty for none
 * @param chargingVector whether each outbound INVITE gets a P-Charging-Vector with a fresh
 *     {@code icid-value} (RFC 7315 §5.6)
 * @param origIoi the {@code orig-ioi} of that vector (the operator's domain), or empty for none
 * @param trusted hosts (names or literal addresses, lower case) whose P-Asserted-Identity is
 *     believed and shown to the browser; from any other host it is dropped (RFC 3325 §5)
 */
public record ImsProfile(
        Identity identity,
        Optional<String> accessNetworkInfo,
        boolean chargingVector,
        Optional<String> origIoi,
        Set<String> trusted) {

    /** The identity header of outbound INVITEs. */
    public enum Identity {
        /** None: the From header is the only identity, as on a plain SIP trunk. */
        NONE,
        /** P-Preferred-Identity: the gateway asks a P-CSCF to assert it (RFC 3325 §9.2). */
        PREFERRED,
        /** P-Asserted-Identity: the gateway is inside the trust domain (RFC 3325 §9.1). */
        ASSERTED
    }

    // RFC 7315 §5.4: access-type and access-info are tokens, quoted strings or generic params.
    private static final Pattern HEADER_VALUE = Pattern.compile("[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9.!%*_+`'~-]+");

    /** No IMS headers, nobody trusted: a plain SIP profile. */
    public static final ImsProfile NONE = new ImsProfile(Identity.NONE, Optional.empty(), false, Optional.empty(), Set.of());

    /**
     * A checked profile.
     *
     * @throws IllegalArgumentException naming the field that is wrong
     */
    public ImsProfile {
        Objects.requireNonNull(identity, "identity");
        accessNetworkInfo.ifPresent(v -> {
            if (!HEADER_VALUE.matcher(v).matches()) {
                throw new IllegalArgumentException("accessNetworkInfo: '" + v + "' is not a header value "
                        + "(printable ASCII, no leading or trailing space)");
            }
        });
        origIoi.ifPresent(v -> {
            if (!TOKEN.matcher(v).matches()) {
                throw new IllegalArgumentException("origIoi: '" + v + "' is not a token");
            }
        });
        if (origIoi.isPresent() && !chargingVector) {
            throw new IllegalArgumentException("origIoi: needs chargingVector, the header it goes in");
        }
        for (String host : trusted) {
            if (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == ',' || c == 0x7f)) {
                throw new IllegalArgumentException("trusted: '" + host + "' is not a host name or address");
            }
        }
        trusted = trusted.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** Whether a request received from {@code host} may assert an identity. */
    public boolean trusts(String host) {
        return host != null && trusted.contains(host.toLowerCase(Locale.ROOT));
    }
}
