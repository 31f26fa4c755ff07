package dev.passerelle.connector.http;

import static dev.passerelle.connector.spi.ConnectorSettings.scalar;
import static dev.passerelle.connector.spi.ConnectorSettings.whole;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorSettings;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.DialPlan;
import dev.passerelle.connector.spi.IdentityClaims;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The validated {@code identity.http} settings. Every refusal is a {@link ConnectorException} whose
 * message starts with the key at fault.
 *
 * @param introspectionUri the introspection endpoint (RFC 7662 §2)
 * @param authorization the whole {@code Authorization} header value the gateway authenticates to
 *     the endpoint with (RFC 7662 §2.1), or null when the endpoint needs none
 * @param timeout bound of one introspection, connection included
 * @param issuer the required {@code iss}, or null: not checked
 * @param audience a value {@code aud} must contain, or null: not checked
 * @param clockSkewSeconds tolerance applied to {@code exp} and {@code nbf}
 * @param cacheSeconds how long an active token's identity is reused; 0 disables the cache
 * @param dialPlan the operator's dial plan, which a token's claims narrow or replace
 */
record HttpSettings(URI introspectionUri, String authorization, Duration timeout, String issuer, String audience,
        int clockSkewSeconds, int cacheSeconds, DialPlan dialPlan, IdentityClaims claims) {

    static final int DEFAULT_TIMEOUT_MS = 2000;
    static final int MAX_TIMEOUT_MS = 60_000;
    static final int DEFAULT_CLOCK_SKEW = 30;
    static final int MAX_CLOCK_SKEW = 600;
    static final int DEFAULT_CACHE_SECONDS = 30;
    static final int MAX_CACHE_SECONDS = 3600;

    private static final List<String> KEYS = List.of("introspectionUri", "clientId", "clientSecret", "authorization",
            "timeout", "issuer", "audience", "clockSkew", "cacheSeconds", "dialPlan", "claims");

    static HttpSettings from(ConnectorContext context) {
        String at = context.settingsKey();
        Map<String, Object> settings = context.settings();
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new ConnectorException(at + "." + key + ": unknown key");
            }
        }
        String uriText = scalar(settings, "introspectionUri", at);
        if (uriText == null) {
            throw new ConnectorException(at + ".introspectionUri: required");
        }
        return new HttpSettings(
                introspectionUri(uriText, at),
                authorization(settings, at),
                Duration.ofMillis(whole(settings, "timeout", at, 1, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, "milliseconds")),
                scalar(settings, "issuer", at),
                scalar(settings, "audience", at),
                whole(settings, "clockSkew", at, 0, MAX_CLOCK_SKEW, DEFAULT_CLOCK_SKEW, "seconds"),
                whole(settings, "cacheSeconds", at, 0, MAX_CACHE_SECONDS, DEFAULT_CACHE_SECONDS, "seconds"),
                ConnectorSettings.dialPlan(settings, at),
                IdentityClaims.fromSettings(settings, at, "username"));
    }

    private static URI introspectionUri(String text, String at) {
        return ConnectorSettings.httpUrl(text, at + ".introspectionUri", at + ".clientId and " + at + ".clientSecret");
    }

    /**
     * HTTP Basic with the client credentials (RFC 7662 §2.1 leaves the method open; this is the
     * one of RFC 6749 §2.3.1), or a whole header value given as is, e.g. a bearer token.
     */
    private static String authorization(Map<String, Object> settings, String at) {
        String clientId = scalar(settings, "clientId", at);
        String clientSecret = scalar(settings, "clientSecret", at);
        String given = scalar(settings, "authorization", at);
        if (given != null && (clientId != null || clientSecret != null)) {
            throw new ConnectorException(at + ".authorization: not allowed together with " + at + ".clientId and "
                    + at + ".clientSecret; set one of them");
        }
        if (clientId == null && clientSecret != null) {
            throw new ConnectorException(at + ".clientId: required with " + at + ".clientSecret");
        }
        if (clientId != null && clientSecret == null) {
            throw new ConnectorException(at + ".clientSecret: required with " + at + ".clientId");
        }
        if (clientId != null) {
            // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding (RFC 7617 §2), so a
            // ':' in the client id cannot shift the split.
            String pair = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        return ConnectorSettings.authorizationValue(given, at + ".authorization");
    }

    /** Never shows the credentials. */
    @Override
    public String toString() {
        return "HttpSettings[introspectionUri=" + introspectionUri + ", authorization="
                + (authorization == null ? "none" : "(set)") + ", timeout=" + timeout.toMillis() + "ms, issuer=" + issuer
                + ", audience=" + audience + ", clockSkew=" + clockSkewSeconds + ", cacheSeconds=" + cacheSeconds
                + ", dialPlan=" + dialPlan + ", claims=" + claims + "]";
    }
}
