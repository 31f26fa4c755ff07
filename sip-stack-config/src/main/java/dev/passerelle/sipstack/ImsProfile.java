package dev.passerelle.sipstack;

import java.net.InetAddress;
import java.net.UnknownHostException;
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
 * @param trusted IP addresses (literals, as packets come from them) whose P-Asserted-Identity is
 *     believed and shown to the browser; from any other address it is dropped (RFC 3325 §5).
 *     Names are refused: trust must not depend on what a resolver answers.
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
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
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
        trusted = trusted.stream().map(ImsProfile::literal).collect(Collectors.toUnmodifiableSet());
    }

    /** Whether a request received from {@code address} (an IP literal) may assert an identity. */
    public boolean trusts(String address) {
        if (address == null) {
            return false;
        }
        try {
            return trusted.contains(literal(address));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code text} as the canonical text of the IP address it writes; never a DNS lookup. */
    private static String literal(String text) {
        String t = text.trim();
        String bare = t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
        if (!IPV4.matcher(bare).matches() && !(bare.contains(":") && IPV6_CHARS.matcher(bare).matches())) {
            throw new IllegalArgumentException("trusted: '" + text + "' is not an IP address");
        }
        try {
            // A literal never reaches a resolver (InetAddress#getByName on an address literal).
            return InetAddress.getByName(bare).getHostAddress().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("trusted: '" + text + "' is not an IP address", e);
        }
    }
}
