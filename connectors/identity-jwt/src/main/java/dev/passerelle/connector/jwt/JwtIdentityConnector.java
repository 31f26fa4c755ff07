package dev.passerelle.connector.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.DialPlan;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityClaims;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityUnavailableException;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;

/**
 * Turns a signed JWT into an {@link Identity}: signature, {@code iss}, {@code aud}, {@code exp}
 * (required) and {@code nbf} are checked by nimbus's {@link DefaultJWTProcessor} and
 * {@link DefaultJWTClaimsVerifier}. Refusals carry a short reason and never the token.
 *
 * <p>With a JWKS URL the keys are fetched on the first login, cached for {@link #JWKS_CACHE_TTL},
 * and fetched again before that when a token names a {@code kid} the cache lacks (key rotation),
 * at most twice per {@link #JWKS_MIN_REFRESH_INTERVAL} so that forged {@code kid}s cannot turn
 * logins into requests to the identity provider. Nothing runs in the background: a fetch happens
 * inside the {@code authenticate} call that needs it, bounded by {@link #JWKS_HTTP_TIMEOUT}.
 */
final class JwtIdentityConnector implements IdentityConnector {

    static final Duration JWKS_CACHE_TTL = Duration.ofMinutes(5);
    static final Duration JWKS_MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);
    static final Duration JWKS_HTTP_TIMEOUT = Duration.ofSeconds(2);
    /** A JWKS larger than this is refused, so a broken provider cannot fill the heap. */
    static final int JWKS_SIZE_LIMIT = 256 * 1024;
    /** Longer tokens are refused before parsing; real ID and access tokens stay far below. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    /** User names become the user part of a SIP URI (RFC 3261 §25.1 "unreserved"). */

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Set<JWSAlgorithm> algorithms;
    private final IdentityClaims claims;
    private final DialPlan dialPlan;
    private final String sipDomain;

    private JwtIdentityConnector(DefaultJWTProcessor<SecurityContext> processor, Set<JWSAlgorithm> algorithms,
            IdentityClaims claims, DialPlan dialPlan, String sipDomain) {
        this.processor = processor;
        this.algorithms = algorithms;
        this.claims = claims;
        this.dialPlan = dialPlan;
        this.sipDomain = sipDomain;
    }

    static JwtIdentityConnector create(JwtSettings settings, String sipDomain) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(settings.algorithms(), keySource(settings)));
        // RFC 7519 §5.1 "JWT", or none; RFC 9068 §2.1 "at+jwt" for OAuth access tokens.
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        // The contract leaves issuer and audience unchecked unless configured; exp is always required.
        Set<String> required = new HashSet<>(Set.of("exp"));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (settings.issuer() != null) {
            exact.issuer(settings.issuer());
            required.add("iss");
        }
        if (settings.audience() != null) {
            required.add("aud");
        }
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
                settings.audience() == null ? null : Set.of(settings.audience()),
                exact.build(),
                required,
                null);
        verifier.setMaxClockSkew(settings.clockSkewSeconds());
        processor.setJWTClaimsSetVerifier(verifier);
        return new JwtIdentityConnector(processor, settings.algorithms(), settings.claims(), settings.dialPlan(),
                sipDomain);
    }

    private static JWKSource<SecurityContext> keySource(JwtSettings settings) {
        if (settings.secret() != null) {
            return new ImmutableSecret<>(settings.secret());
        }
        int timeout = (int) JWKS_HTTP_TIMEOUT.toMillis();
        return JWKSourceBuilder.<SecurityContext>create(settings.jwksUri(),
                        new DefaultResourceRetriever(timeout, timeout, JWKS_SIZE_LIMIT))
                .cache(JWKS_CACHE_TTL.toMillis(), JWKS_HTTP_TIMEOUT.toMillis())
                .rateLimited(JWKS_MIN_REFRESH_INTERVAL.toMillis())
                .refreshAheadCache(false)
                .retrying(false)
                .outageTolerant(false)
                .build();
    }

    @Override
    public Identity authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new AuthenticationException("missing token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new AuthenticationException("token too long");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token.trim());
        } catch (ParseException e) {
            throw new AuthenticationException("malformed token");
        }
        if (jwt instanceof PlainJWT) {
            throw new AuthenticationException("unsigned token (alg none) refused");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new AuthenticationException("encrypted tokens are not accepted");
        }
        JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
        if (!algorithms.contains(algorithm)) {
            throw new AuthenticationException("signature algorithm " + algorithm + " not accepted");
        }
        return identity(verify(signed));
    }

    private JWTClaimsSet verify(SignedJWT signed) {
        try {
            return processor.process(signed, null);
        } catch (ExpiredJWTException e) {
            throw new AuthenticationException("token expired");
        } catch (BadJWTException e) {
            throw new AuthenticationException(claimsReason(e));
        } catch (BadJWSException e) {
            throw new AuthenticationException("bad signature");
        } catch (BadJOSEException e) {
            throw new AuthenticationException("unknown signing key");
        } catch (RateLimitReachedException e) {
            throw new AuthenticationException("unknown signing key");
        } catch (KeySourceException e) {
            // The JWKS could not be fetched: the token may be good, so 503 rather than 401.
            throw new IdentityUnavailableException("signing keys unavailable");
        } catch (JOSEException e) {
            throw new AuthenticationException("signature check failed");
        }
    }

    /**
     * The claim checks report only through messages; these are those of nimbus-jose-jwt 10
     * (JwtIdentityConnectorTest pins each one, so an upgrade that changes them fails the build).
     */
    private static String claimsReason(BadJWTException e) {
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("JWT before use time")) {
            return "token not yet valid";
        }
        if (message.startsWith("JWT aud claim rejected") || message.startsWith("JWT missing required aud claim")) {
            return "wrong audience";
        }
        if (message.startsWith("JWT iss claim")) {
            return "wrong issuer";
        }
        if (message.startsWith("JWT missing required claims: ")) {
            return "missing claims " + message.substring("JWT missing required claims: ".length());
        }
        return "invalid claims";
    }

    private Identity identity(JWTClaimsSet claimsSet) {
        return claims.identity(new IdentityClaims.Source() {
            @Override
            public String text(String claim) {
                return claim(claimsSet, claim);
            }

            @Override
            public List<String> patterns(String claim) {
                return JwtIdentityConnector.patterns(claimsSet, claim);
            }
        }, dialPlan, sipDomain);
    }

    /** A blank claim counts as absent; a claim that is not a string is refused. */
    private static String claim(JWTClaimsSet claimsSet, String name) {
        Object value = claimsSet.getClaim(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw new AuthenticationException("claim " + name + " is not a string");
        }
        return text.isBlank() ? null : text.trim();
    }

    private static List<String> patterns(JWTClaimsSet claimsSet, String name) {
        Object value = claimsSet.getClaim(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(p -> p instanceof String s && !s.isBlank())) {
            throw new AuthenticationException("claim " + name + " is not a list of destination patterns");
        }
        return list.stream().map(p -> ((String) p).trim()).toList();
    }

    /** A JWT connector learns users from their tokens only. */
    @Override
    public Optional<Identity> lookup(String user) {
        return Optional.empty();
    }
}
