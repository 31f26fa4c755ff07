package dev.passerelle.connector.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.DialPlan;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityClaims;
import dev.passerelle.connector.spi.IdentityConnector;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns an opaque access token into an {@link Identity} by asking the authorization server
 * (RFC 7662): the token must be {@code active} (§2.2), within its {@code exp} and {@code nbf} when
 * the answer has them, and from the configured issuer and audience when those are set. Refusals
 * carry a short reason and never the token.
 *
 * <p>An identity is reused for {@code cacheSeconds}, never past the token's {@code exp}
 * (RFC 7662 §4); a revoked token therefore keeps working for up to {@code cacheSeconds}. Refusals
 * are never cached, so a token activated a moment later logs in at once.
 */
final class HttpIdentityConnector implements IdentityConnector {

    /** Longer tokens are refused before any request; real access tokens stay far below. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    /** 9999-12-31T23:59:59Z. */
    private static final long LATEST_DATE = 253_402_300_799L;

    /** User names become the user part of a SIP URI (RFC 3261 §25.1 "unreserved"). */

    private final HttpSettings settings;
    private final IntrospectionClient client;
    private final TokenCache cache;
    private final Clock clock;
    private final String sipDomain;

    HttpIdentityConnector(HttpSettings settings, String sipDomain, Clock clock) {
        this.settings = settings;
        this.client = new IntrospectionClient(settings);
        this.cache = new TokenCache(clock);
        this.clock = clock;
        this.sipDomain = sipDomain;
    }

    @Override
    public Identity authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new AuthenticationException("missing token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new AuthenticationException("token too long");
        }
        String key = settings.cacheSeconds() == 0 ? null : TokenCache.key(token);
        if (key != null) {
            Optional<Identity> cached = cache.get(key);
            if (cached.isPresent()) {
                return cached.get();
            }
        }
        JsonNode answer = client.introspect(token);
        Instant now = clock.instant();
        // RFC 7662 §2.2: "active" is the only required member; false says nothing more.
        if (!answer.get("active").booleanValue()) {
            throw new AuthenticationException("token inactive");
        }
        Instant expires = numericDate(answer, "exp");
        if (expires != null && now.isAfter(expires.plusSeconds(settings.clockSkewSeconds()))) {
            throw new AuthenticationException("token expired");
        }
        Instant notBefore = numericDate(answer, "nbf");
        if (notBefore != null && now.plusSeconds(settings.clockSkewSeconds()).isBefore(notBefore)) {
            throw new AuthenticationException("token not yet valid");
        }
        if (settings.issuer() != null && !settings.issuer().equals(text(answer, "iss"))) {
            throw new AuthenticationException("wrong issuer");
        }
        if (settings.audience() != null && !audiences(answer).contains(settings.audience())) {
            throw new AuthenticationException("wrong audience");
        }
        Identity identity = identity(answer);
        if (key != null) {
            Instant until = now.plusSeconds(settings.cacheSeconds());
            cache.put(key, identity, expires != null && expires.isBefore(until) ? expires : until);
        }
        return identity;
    }

    private Identity identity(JsonNode answer) {
        return settings.claims().identity(new IdentityClaims.Source() {
            @Override
            public String text(String claim) {
                return HttpIdentityConnector.text(answer, claim);
            }

            @Override
            public List<String> patterns(String claim) {
                return HttpIdentityConnector.patterns(answer, claim);
            }
        }, settings.dialPlan(), sipDomain);
    }

    /** A list of strings; a single string is a list of one (identity servers flatten one-element lists). */
    private static List<String> patterns(JsonNode answer, String name) {
        JsonNode value = answer.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return List.of(value.textValue().trim());
        }
        if (!value.isArray()) {
            throw new AuthenticationException("claim " + name + " is not a list of strings");
        }
        List<String> patterns = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new AuthenticationException("claim " + name + " is not a list of strings");
            }
            patterns.add(item.textValue().trim());
        }
        return patterns;
    }

    /** RFC 7662 §2.2 after RFC 7519 §4.1.3: {@code aud} is a string or an array of strings. */
    private static List<String> audiences(JsonNode answer) {
        JsonNode value = answer.get("aud");
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (value.isTextual()) {
            return List.of(value.textValue());
        }
        List<String> audiences = new ArrayList<>();
        if (value.isArray()) {
            for (JsonNode item : value) {
                if (item.isTextual()) {
                    audiences.add(item.textValue());
                }
            }
        }
        return audiences;
    }

    /** RFC 7662 §2.2: {@code exp}, {@code nbf} are seconds since the epoch (NumericDate, RFC 7519 §2). */
    private static Instant numericDate(JsonNode answer, String name) {
        JsonNode value = answer.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !value.canConvertToLong()) {
            throw new AuthenticationException("claim " + name + " is not a NumericDate");
        }
        // Clamped to years 1970 to 9999, so that the skew arithmetic cannot overflow.
        return Instant.ofEpochSecond(Math.min(Math.max(value.longValue(), 0), LATEST_DATE));
    }

    /** A blank member counts as absent; a member that is not a string is refused. */
    private static String text(JsonNode answer, String name) {
        JsonNode value = answer.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new AuthenticationException("claim " + name + " is not a string");
        }
        String text = value.textValue().trim();
        return text.isEmpty() ? null : text;
    }

    /** An introspecting connector learns users from their tokens only. */
    @Override
    public Optional<Identity> lookup(String user) {
        return Optional.empty();
    }
}
