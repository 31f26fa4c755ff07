package dev.passerelle.connector.http;

import dev.passerelle.connector.spi.Identity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Identities of active tokens, keyed by the SHA-256 of the token so that the heap never holds a
 * token beyond its login. An entry lives until the deadline it was put with; expired entries are
 * dropped when met and swept when the cache is full.
 */
final class TokenCache {

    /** Past this many live entries new ones are not cached: logins still work, at one request each. */
    static final int MAX_ENTRIES = 10_000;

    private record Entry(Identity identity, Instant until) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;

    TokenCache(Clock clock) {
        this.clock = clock;
    }

    static String key(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    Optional<Identity> get(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.until())) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.identity());
    }

    void put(String key, Identity identity, Instant until) {
        Instant now = clock.instant();
        if (!now.isBefore(until)) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.values().removeIf(entry -> !now.isBefore(entry.until()));
            if (entries.size() >= MAX_ENTRIES) {
                return;
            }
        }
        entries.put(key, new Entry(identity, until));
    }
}
