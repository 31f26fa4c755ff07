package dev.passerelle.connector.jwt;

import static dev.passerelle.connector.spi.ConnectorSettings.scalar;

import com.nimbusds.jose.JWSAlgorithm;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorSettings;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.DialPlan;
import dev.passerelle.connector.spi.IdentityClaims;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validated {@code identity.jwt} settings. Exactly one key source is set: {@code jwksUri} or
 * {@code secret}. Every refusal is a {@link ConnectorException} whose message starts with the
 * key at fault.
 *
 * @param jwksUri where the issuer publishes its public keys (a JWKS, RFC 7517 §5), or null
 * @param secret the HMAC secret as UTF-8 bytes, or null
 * @param algorithms the JWS algorithms a token may be signed with; never {@code none}
 * @param clockSkewSeconds tolerance applied to {@code exp} and {@code nbf}
 * @param dialPlan the operator's dial plan, which a token's dial claims may narrow only
 */
record JwtSettings(URL jwksUri, byte[] secret, String issuer, String audience, int clockSkewSeconds,
        Set<JWSAlgorithm> algorithms, IdentityClaims claims, DialPlan dialPlan) {

    /** Public-key algorithms the JDK verifies without an extra provider. */
    static final Set<JWSAlgorithm> PUBLIC_KEY_ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    static final Set<JWSAlgorithm> HMAC_ALGORITHMS = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    static final int DEFAULT_CLOCK_SKEW = 30;
    static final int MAX_CLOCK_SKEW = 600;

    private static final List<String> KEYS = List.of(
            "jwksUri", "secret", "issuer", "audience", "clockSkew", "algorithms", "claims", "dialPlan");

    static JwtSettings from(ConnectorContext context) {
        String at = context.settingsKey();
        Map<String, Object> settings = context.settings();
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new ConnectorException(at + "." + key + ": unknown key");
            }
        }
        String jwksText = scalar(settings, "jwksUri", at);
        String sharedText = scalar(settings, "secret", at);
        if (jwksText == null && sharedText == null) {
            throw new ConnectorException(at + ".jwksUri: required unless " + at + ".secret is set");
        }
        if (jwksText != null && sharedText != null) {
            throw new ConnectorException(at + ".secret: not allowed together with " + at + ".jwksUri; set one of them");
        }
        String issuer = scalar(settings, "issuer", at);
        String audience = scalar(settings, "audience", at);
        int clockSkew = clockSkew(settings, at);
        URL jwksUri = jwksText == null ? null : jwksUri(jwksText, at);
        Set<JWSAlgorithm> algorithms = algorithms(settings, at, jwksUri != null);
        byte[] secret = sharedText == null ? null : secret(sharedText, algorithms, at);
        return new JwtSettings(jwksUri, secret, issuer, audience, clockSkew, algorithms, IdentityClaims.fromSettings(settings, at, "preferred_username"),
                ConnectorSettings.dialPlan(settings, at));
    }

    private static URL jwksUri(String text, String at) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme();
            if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || uri.getHost() == null) {
                throw new ConnectorException(at + ".jwksUri: '" + text + "' is not an http or https URL");
            }
            return uri.toURL();
        } catch (URISyntaxException | MalformedURLException e) {
            throw new ConnectorException(at + ".jwksUri: '" + text + "' is not a valid URL: " + e.getMessage(), e);
        }
    }

    /** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output of the algorithm. */
    private static byte[] secret(String text, Set<JWSAlgorithm> algorithms, String at) {
        byte[] key = text.getBytes(StandardCharsets.UTF_8);
        for (JWSAlgorithm algorithm : algorithms) {
            int minimum = Integer.parseInt(algorithm.getName().substring(2)) / 8;
            if (key.length < minimum) {
                throw new ConnectorException(at + ".secret: must be at least " + minimum + " bytes for " + algorithm
                        + " (RFC 7518 §3.2), got " + key.length);
            }
        }
        return key;
    }

    private static Set<JWSAlgorithm> algorithms(Map<String, Object> settings, String at, boolean publicKeys) {
        String key = at + ".algorithms";
        Set<JWSAlgorithm> allowed = publicKeys ? PUBLIC_KEY_ALGORITHMS : HMAC_ALGORITHMS;
        Object raw = settings.get("algorithms");
        if (raw == null) {
            return publicKeys ? Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256) : Set.of(JWSAlgorithm.HS256);
        }
        List<String> names = new ArrayList<>();
        if (raw instanceof List<?> list) {
            for (Object item : list) {
                names.add(String.valueOf(item).trim());
            }
        } else if (raw instanceof String text) {
            for (String part : text.split(",", -1)) {
                names.add(part.trim());
            }
        } else {
            throw new ConnectorException(key + ": must be a list of JWS algorithm names, e.g. [RS256, ES256]");
        }
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        for (String name : names) {
            if (name.equalsIgnoreCase("none")) {
                throw new ConnectorException(key + ": 'none' is never accepted: tokens must be signed");
            }
            JWSAlgorithm algorithm = allowed.stream().filter(a -> a.getName().equals(name)).findFirst()
                    .orElseThrow(() -> new ConnectorException(key + ": '" + name + "' is not allowed with "
                            + (publicKeys ? "jwksUri" : "secret") + "; allowed: " + sortedNames(allowed)));
            algorithms.add(algorithm);
        }
        if (algorithms.isEmpty()) {
            throw new ConnectorException(key + ": must not be empty");
        }
        return Set.copyOf(algorithms);
    }

    private static List<String> sortedNames(Set<JWSAlgorithm> algorithms) {
        return algorithms.stream().map(JWSAlgorithm::getName).sorted().toList();
    }

    private static int clockSkew(Map<String, Object> settings, String at) {
        String text = scalar(settings, "clockSkew", at);
        if (text == null) {
            return DEFAULT_CLOCK_SKEW;
        }
        int seconds;
        try {
            seconds = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds >= 0 && seconds <= MAX_CLOCK_SKEW) {
            return seconds;
        }
        throw new ConnectorException(at + ".clockSkew: '" + text + "' is not a whole number of seconds from 0 to "
                + MAX_CLOCK_SKEW);
    }

    /** Never shows the shared key. */
    @Override
    public String toString() {
        return "JwtSettings[jwksUri=" + jwksUri + ", secret=" + (secret == null ? "none" : "(set)")
                + ", issuer=" + issuer + ", audience=" + audience + ", clockSkew=" + clockSkewSeconds
                + ", algorithms=" + sortedNames(algorithms) + ", claims=" + claims + "]";
    }
}
