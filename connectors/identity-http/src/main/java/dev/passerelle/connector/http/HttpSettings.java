package dev.passerelle.connector.http;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.DialPlan;
import java.net.URI;
import java.net.URISyntaxException;
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
        int clockSkewSeconds, int cacheSeconds, DialPlan dialPlan, ClaimNames claims) {

    static final int DEFAULT_TIMEOUT_MS = 2000;
    static final int MAX_TIMEOUT_MS = 60_000;
    static final int DEFAULT_CLOCK_SKEW = 30;
    static final int MAX_CLOCK_SKEW = 600;
    static final int DEFAULT_CACHE_SECONDS = 30;
    static final int MAX_CACHE_SECONDS = 3600;

    private static final List<String> KEYS = List.of("introspectionUri", "clientId", "clientSecret", "authorization",
            "timeout", "issuer", "audience", "clockSkew", "cacheSeconds", "dialPlan", "claims");
    private static final List<String> CLAIM_KEYS = List.of(
            "user", "sipUri", "displayName", "sipPassword", "dialAllow", "dialDeny");
    private static final List<String> DIAL_PLAN_KEYS = List.of("allow", "deny");

    /**
     * Names of the introspection response members an identity is read from.
     *
     * @param user the user name; {@code sub} is used when the response lacks it
     * @param sipPassword null when responses carry no SIP credentials
     * @param dialAllow patterns that replace the configured allow list
     * @param dialDeny patterns added to the configured deny list
     */
    record ClaimNames(String user, String sipUri, String displayName, String sipPassword, String dialAllow,
            String dialDeny) {}

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
                dialPlan(settings, at),
                claims(settings, at));
    }

    private static URI introspectionUri(String text, String at) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConnectorException(at + ".introspectionUri: '" + text + "' is not a valid URL: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || uri.getHost() == null) {
            throw new ConnectorException(at + ".introspectionUri: '" + text + "' is not an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            // The URL is logged when the endpoint fails; credentials have keys of their own.
            throw new ConnectorException(at + ".introspectionUri: must not carry credentials; set " + at
                    + ".clientId and " + at + ".clientSecret");
        }
        return uri;
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
        if (given != null) {
            // RFC 9110 §11.4: a scheme, a space, then credentials; visible ASCII only, so no header injection.
            boolean visible = given.chars().allMatch(c -> c == ' ' || c > 0x20 && c < 0x7f);
            if (!visible || given.indexOf(' ') <= 0) {
                throw new ConnectorException(at + ".authorization: must be a whole Authorization header value in "
                        + "visible ASCII, e.g. 'Bearer <token>'");
            }
        }
        return given;
    }

    private static DialPlan dialPlan(Map<String, Object> settings, String at) {
        String key = at + ".dialPlan";
        Map<?, ?> plan = mapping(settings, "dialPlan", key, "allow, deny");
        for (Object name : plan.keySet()) {
            if (!DIAL_PLAN_KEYS.contains(String.valueOf(name))) {
                throw new ConnectorException(key + "." + name + ": unknown key");
            }
        }
        List<String> allow = patterns(plan, "allow", key);
        List<String> deny = patterns(plan, "deny", key);
        return new DialPlan(allow == null ? DialPlan.ANY.allow() : allow, deny == null ? List.of() : deny);
    }

    private static List<String> patterns(Map<?, ?> plan, String field, String at) {
        String key = at + "." + field;
        Object raw = plan.get(field);
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof List<?> list)) {
            throw new ConnectorException(key + ": must be a list of patterns, e.g. ['tel:+33*']");
        }
        List<String> patterns = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String pattern) || pattern.isBlank()) {
                throw new ConnectorException(key + ": every pattern must be a non-empty string, got '" + item + "'");
            }
            patterns.add(pattern.trim());
        }
        return patterns;
    }

    private static ClaimNames claims(Map<String, Object> settings, String at) {
        String key = at + ".claims";
        Map<?, ?> claims = mapping(settings, "claims", key, String.join(", ", CLAIM_KEYS));
        for (Object name : claims.keySet()) {
            if (!CLAIM_KEYS.contains(String.valueOf(name))) {
                throw new ConnectorException(key + "." + name + ": unknown key");
            }
        }
        return new ClaimNames(
                orDefault(scalar(claims, "user", key), "username"),
                orDefault(scalar(claims, "sipUri", key), "sip_uri"),
                orDefault(scalar(claims, "displayName", key), "name"),
                scalar(claims, "sipPassword", key),
                orDefault(scalar(claims, "dialAllow", key), "dial_allow"),
                orDefault(scalar(claims, "dialDeny", key), "dial_deny"));
    }

    private static Map<?, ?> mapping(Map<?, ?> settings, String field, String key, String keys) {
        Object raw = settings.get(field);
        if (raw == null) {
            return Map.of();
        }
        if (!(raw instanceof Map<?, ?> map)) {
            throw new ConnectorException(key + ": must be a mapping of " + keys);
        }
        return map;
    }

    private static int whole(Map<String, Object> settings, String field, String at, int min, int max, int fallback,
            String unit) {
        String text = scalar(settings, field, at);
        if (text == null) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            value = min - 1;
        }
        if (value >= min && value <= max) {
            return value;
        }
        throw new ConnectorException(at + "." + field + ": '" + text + "' is not a whole number of " + unit + " from "
                + min + " to " + max);
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    /** A YAML key with no value counts as absent, like everywhere else in the configuration. */
    private static String scalar(Map<?, ?> settings, String field, String at) {
        Object value = settings.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            throw new ConnectorException(at + "." + field + ": must be a single value");
        }
        String text = String.valueOf(value).trim();
        if (text.isEmpty()) {
            throw new ConnectorException(at + "." + field + ": must not be empty");
        }
        return text;
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
