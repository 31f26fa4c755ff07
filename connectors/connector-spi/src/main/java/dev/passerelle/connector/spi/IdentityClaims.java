package dev.passerelle.connector.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which claims of a login token (a JWT's claims, an introspection answer's members) make a web
 * user, and how: read from a connector's {@code claims} settings, applied to a token through its
 * {@link Source}.
 *
 * @param user the claim naming the user; {@code sub} when the token lacks it
 * @param sipUri the claim holding the AOR; when absent, {@code sip:<user>@<sip.domain>}
 * @param displayName the claim holding the display name
 * @param sipPassword the claim holding the digest password, or null for none
 * @param dialAllow the claim whose patterns replace the operator's dial plan's allow list
 * @param dialDeny the claim whose patterns are added to the operator's deny list
 */
public record IdentityClaims(String user, String sipUri, String displayName, String sipPassword, String dialAllow,
        String dialDeny) {

    /** The keys of the {@code claims} settings mapping. */
    public static final List<String> KEYS = List.of("user", "sipUri", "displayName", "sipPassword", "dialAllow", "dialDeny");

    /** Letters and digits are checked apart; these are the other characters of an RFC 3261 user part kept. */
    private static final String USER_PUNCTUATION = "-_.!~*'()";

    public IdentityClaims {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sipUri, "sipUri");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(dialAllow, "dialAllow");
        Objects.requireNonNull(dialDeny, "dialDeny");
    }

    /** A token's claims as a connector reads them; each method throws {@link AuthenticationException} for a claim of the wrong type. */
    public interface Source {
        /** The claim as text, or null when absent or blank. */
        String text(String claim);

        /** The claim as a list of patterns, or null when absent. */
        List<String> patterns(String claim);
    }

    /**
     * The {@code claims} mapping of {@code settings} (keys {@link #KEYS}), each claim name defaulting
     * to the usual one: {@code userDefault} for the user (it differs between token formats),
     * {@code sip_uri}, {@code name}, no SIP password, {@code dial_allow}, {@code dial_deny}.
     */
    public static IdentityClaims fromSettings(Map<?, ?> settings, String at, String userDefault) {
        Map<?, ?> claims = ConnectorSettings.mapping(settings, "claims", at, KEYS);
        String key = at + ".claims";
        return new IdentityClaims(
                orDefault(ConnectorSettings.scalar(claims, "user", key), userDefault),
                orDefault(ConnectorSettings.scalar(claims, "sipUri", key), "sip_uri"),
                orDefault(ConnectorSettings.scalar(claims, "displayName", key), "name"),
                ConnectorSettings.scalar(claims, "sipPassword", key),
                orDefault(ConnectorSettings.scalar(claims, "dialAllow", key), "dial_allow"),
                orDefault(ConnectorSettings.scalar(claims, "dialDeny", key), "dial_deny"));
    }

    /**
     * The web user a token names, with the operator's dial plan as the token narrows it
     * ({@link DialPlan#narrowedBy}: no token lifts an operator's deny).
     *
     * @throws AuthenticationException when the token names no user, a user that is not a SIP user
     *     part, or an AOR that is not a {@code sip:}/{@code sips:} URI
     */
    public Identity identity(Source token, DialPlan operatorPlan, String sipDomain) {
        String name = token.text(user);
        if (name == null) {
            name = token.text("sub");
        }
        if (name == null) {
            throw new AuthenticationException("token names no user (claims " + user + ", sub)");
        }
        if (!name.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c) || USER_PUNCTUATION.indexOf(c) >= 0)) {
            throw new AuthenticationException("user claim is not a valid SIP user part");
        }
        String aor = token.text(sipUri);
        if (aor == null) {
            aor = "sip:" + name + "@" + sipDomain;
        } else if (!aor.startsWith("sip:") && !aor.startsWith("sips:")) {
            throw new AuthenticationException("claim " + sipUri + " is not a sip: or sips: URI");
        }
        String password = sipPassword == null ? null : token.text(sipPassword);
        DialPlan plan = operatorPlan.narrowedBy(token.patterns(dialAllow), token.patterns(dialDeny));
        return new Identity(name, aor, token.text(displayName), password, plan);
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
