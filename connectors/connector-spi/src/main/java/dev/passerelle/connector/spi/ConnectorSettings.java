package dev.passerelle.connector.spi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Readers for a connector's settings subtree ({@link ConnectorContext#settings()}), as YAML gave
 * it, shared so that every connector refuses the same mistakes with the same words. Every refusal
 * is a {@link ConnectorException} whose message starts with the key at fault
 * ({@code identity.jwt.claims.user: must be a single value}), which the gateway reports as a
 * configuration error of that key.
 */
public final class ConnectorSettings {
    private ConnectorSettings() {}

    /**
     * A single value (text, number or boolean, as text), trimmed; null when absent. A YAML key with
     * no value counts as absent, like everywhere else in the configuration.
     */
    public static String scalar(Map<?, ?> settings, String field, String at) {
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

    /** A nested mapping whose keys must be among {@code keys}; empty when absent. */
    public static Map<?, ?> mapping(Map<?, ?> settings, String field, String at, List<String> keys) {
        String key = at + "." + field;
        Object raw = settings.get(field);
        if (raw == null) {
            return Map.of();
        }
        if (!(raw instanceof Map<?, ?> map)) {
            throw new ConnectorException(key + ": must be a mapping of " + String.join(", ", keys));
        }
        for (Object name : map.keySet()) {
            if (!keys.contains(String.valueOf(name))) {
                throw new ConnectorException(key + "." + name + ": unknown key");
            }
        }
        return map;
    }

    /** A list of destination patterns ({@link DialPlan}); null when absent. */
    public static List<String> patterns(Map<?, ?> settings, String field, String at) {
        String key = at + "." + field;
        Object raw = settings.get(field);
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof List<?> list)) {
            throw new ConnectorException(key + ": must be a list of destination patterns, e.g. ['tel:+33*']");
        }
        List<String> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String text) || text.isBlank()) {
                throw new ConnectorException(key + ": every pattern must be a non-empty string, got '" + item + "'");
            }
            out.add(text.trim());
        }
        return out;
    }

    /**
     * The operator's dial plan, {@code dialPlan: {allow: [...], deny: [...]}}: an absent
     * {@code allow} permits everything, an absent {@code deny} denies nothing.
     */
    public static DialPlan dialPlan(Map<?, ?> settings, String at) {
        Map<?, ?> plan = mapping(settings, "dialPlan", at, List.of("allow", "deny"));
        String key = at + ".dialPlan";
        return DialPlan.ANY.narrowedBy(patterns(plan, "allow", key), patterns(plan, "deny", key));
    }

    /**
     * A whole number from {@code min} to {@code max}; {@code fallback} when absent.
     *
     * @param unit what it counts, for the message ("seconds", "reports")
     */
    public static int whole(Map<?, ?> settings, String field, String at, int min, int max, int fallback, String unit) {
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

    /**
     * An {@code http} or {@code https} URL with a host and without credentials: the URL shows in
     * log lines when its server fails, so credentials have keys of their own.
     *
     * @param key the URL's key, for messages
     * @param credentialsKeys where credentials go instead, for the message, e.g. {@code qos.turn.reports.authorization}
     */
    public static URI httpUrl(String text, String key, String credentialsKeys) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConnectorException(key + ": '" + text + "' is not a valid URL: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || uri.getHost() == null) {
            throw new ConnectorException(key + ": '" + text + "' is not an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConnectorException(key + ": must not carry credentials; set " + credentialsKeys);
        }
        return uri;
    }

    /**
     * A whole {@code Authorization} header value as given, e.g. {@code Bearer <token>}; null when
     * {@code given} is.
     */
    public static String authorizationValue(String given, String key) {
        if (given == null) {
            return null;
        }
        // RFC 9110 §11.4: a scheme, a space, then credentials; visible ASCII only, so no header injection.
        boolean visible = given.chars().allMatch(c -> c == ' ' || c > 0x20 && c < 0x7f);
        if (!visible || given.indexOf(' ') <= 0) {
            throw new ConnectorException(key + ": must be a whole Authorization header value in visible ASCII, e.g. "
                    + "'Bearer <token>'");
        }
        return given;
    }
}
