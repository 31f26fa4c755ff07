package dev.passerelle.connector.turn;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.ConnectorSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of {@code qos.turn}, checked.
 *
 * @param urls the TURN (or STUN) URLs handed out; empty: no ICE servers
 * @param secret the TURN REST API shared secret (coturn {@code static-auth-secret}); empty: the
 *     URLs are handed out without credentials
 * @param ttl how long a credential is good for
 * @param reports where quality reports go ({@code qos.turn.reports})
 */
record TurnSettings(List<String> urls, Optional<String> secret, Duration ttl, ReportSettings reports) {

    static final long MIN_TTL_SECONDS = 60;
    static final long MAX_TTL_SECONDS = 30L * 86_400;

    TurnSettings {
        urls = List.copyOf(urls);
    }

    /**
     * Other keys of the section are left alone: the section belongs to the name {@code turn}, and a
     * connector unit that replaces the built-in one may read keys of its own there.
     */
    static TurnSettings from(ConnectorContext context) {
        String at = context.settingsKey();
        Map<String, Object> s = context.settings();
        List<String> urls = urls(s.get("urls"), at + ".urls");
        Optional<String> secret = Optional.ofNullable(ConnectorSettings.scalar(s, "secret", at));
        if (secret.isPresent() && urls.isEmpty()) {
            throw new ConnectorException(at + ".urls: required when " + at + ".secret is set");
        }
        return new TurnSettings(urls, secret, Duration.ofSeconds(ttlSeconds(ConnectorSettings.scalar(s, "ttl", at),
                at + ".ttl")), ReportSettings.from(s, at));
    }

    /** A list, or one text of comma-separated URLs (as an environment variable gives it). */
    private static List<String> urls(Object raw, String key) {
        List<String> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        List<?> items = raw instanceof List<?> list ? list : List.of(String.valueOf(raw).split(","));
        for (Object item : items) {
            String url = item instanceof String text ? text.trim() : "";
            // RFC 7064 §3.1 (stun:, stuns:), RFC 7065 §3.1 (turn:, turns:)
            if (!url.matches("(?i)(stuns?|turns?):.+")) {
                throw new ConnectorException(key + ": '" + item + "' is not a stun:, stuns:, turn: or turns: URL");
            }
            out.add(url);
        }
        return out;
    }

    private static long ttlSeconds(String text, String key) {
        if (text == null) {
            return 86_400;
        }
        long seconds;
        try {
            seconds = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ConnectorException(key + ": must be a whole number of seconds, got '" + text + "'");
        }
        if (seconds < MIN_TTL_SECONDS || seconds > MAX_TTL_SECONDS) {
            throw new ConnectorException(key + ": must be between " + MIN_TTL_SECONDS + " and " + MAX_TTL_SECONDS
                    + " seconds, got " + seconds);
        }
        return seconds;
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "TurnSettings[urls=" + urls + ", secret=" + (secret.isPresent() ? "(set)" : "none") + ", ttl="
                + ttl.toSeconds() + "s, reports=" + reports + "]";
    }
}
