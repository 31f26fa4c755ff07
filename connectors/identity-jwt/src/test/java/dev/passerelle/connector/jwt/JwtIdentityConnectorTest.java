package dev.passerelle.connector.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.DialPlan;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;
import dev.passerelle.connector.spi.IdentityUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwtIdentityConnectorTest {
    private static final String ISSUER = "https://idp.example.com/realms/web";
    private static final String AUDIENCE = "passerelle";
    private static final String SHARED_KEY = "0123456789abcdef0123456789abcdef";

    private static RSAKey rsa1;
    private static RSAKey rsa2;
    private static RSAKey foreign;
    private static ECKey ec;

    private HttpServer server;
    private final AtomicInteger hits = new AtomicInteger();
    private volatile String jwks;

    @BeforeAll
    static void keys() throws JOSEException {
        rsa1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        rsa2 = new RSAKeyGenerator(2048).keyID("k2").generate();
        foreign = new RSAKeyGenerator(2048).keyID("k1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    }

    @BeforeEach
    void startJwksServer() throws IOException {
        serve(rsa1, ec);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", exchange -> {
            hits.incrementAndGet();
            byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stopJwksServer() {
        server.stop(0);
    }

    private void serve(JWK... keys) {
        jwks = new JWKSet(List.of(keys)).toString(true);
    }

    private String jwksUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    private static IdentityConnectorFactory factory() {
        return ServiceLoader.load(IdentityConnectorFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("jwt"))
                .findFirst()
                .orElseThrow();
    }

    private static IdentityConnector create(Map<String, Object> settings) {
        return factory().create(new ConnectorContext("identity.jwt", settings, "example.com"));
    }

    private IdentityConnector jwksConnector() {
        return create(Map.of("jwksUri", jwksUri(), "issuer", ISSUER, "audience", AUDIENCE));
    }

    private static Map<String, Object> secretSettings(Map<String, Object> extra) {
        Map<String, Object> settings = new HashMap<>(Map.of("secret", SHARED_KEY, "issuer", ISSUER, "audience", AUDIENCE));
        settings.putAll(extra);
        return settings;
    }

    private static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("f81d4fae-7dec")
                .claim("preferred_username", "alice")
                .claim("name", "Alice Liddell")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String sign(JWK key, JWTClaimsSet claims) throws JOSEException {
        JWSSigner signer;
        JWSAlgorithm algorithm;
        if (key instanceof RSAKey rsa) {
            signer = new RSASSASigner(rsa);
            algorithm = JWSAlgorithm.RS256;
        } else {
            signer = new ECDSASigner((ECKey) key);
            algorithm = JWSAlgorithm.ES256;
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String signHmac(JWSAlgorithm algorithm, String secret, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /** Refuses the token with that reason, and the reason does not leak the token. */
    private static void refused(IdentityConnector connector, String token, String reason) {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> connector.authenticate(token));
        assertEquals(reason, e.getMessage());
        assertFalse(!token.isEmpty() && e.getMessage().contains(token), "the reason leaks the token");
    }

    private static void settingsRefused(Map<String, Object> settings, String message) {
        ConnectorException e = assertThrows(ConnectorException.class, () -> create(settings));
        assertEquals(message, e.getMessage());
    }

    @Test
    void factoryIsFoundByServiceLoaderWithItsNameAndApiVersion() {
        IdentityConnectorFactory factory = factory();
        assertEquals(JwtIdentityConnectorFactory.class, factory.getClass());
        assertEquals(ConnectorApi.VERSION, factory.apiVersion());
    }

    @Test
    void goodTokensSignedWithRsaOrEcGiveTheIdentity() throws JOSEException {
        IdentityConnector connector = jwksConnector();
        Identity alice = connector.authenticate(sign(rsa1, claims().build()));
        assertEquals("alice", alice.user());
        assertEquals("sip:alice@example.com", alice.sipUri());
        assertEquals("Alice Liddell", alice.displayName());
        assertNull(alice.sipPassword());
        Identity fromEc = connector.authenticate(sign(ec, claims().claim("sip_uri", "sip:+3312345@ims.example.net").build()));
        assertEquals("sip:+3312345@ims.example.net", fromEc.sipUri());
        assertTrue(connector.lookup("alice").isEmpty());
    }

    @Test
    void userFallsBackToSubAndClaimNamesAreConfigurable() throws JOSEException {
        IdentityConnector defaults = jwksConnector();
        assertEquals("f81d4fae-7dec",
                defaults.authenticate(sign(rsa1, claims().claim("preferred_username", null).build())).user());

        IdentityConnector custom = create(Map.of("jwksUri", jwksUri(), "issuer", ISSUER, "audience", AUDIENCE,
                "claims", Map.of("user", "uid", "sipUri", "aor", "displayName", "cn", "sipPassword", "sip_pw")));
        Identity bob = custom.authenticate(sign(rsa1, claims()
                .claim("uid", "bob").claim("aor", "sips:bob@pbx.example.net").claim("cn", "Bob").claim("sip_pw", "pw").build()));
        assertEquals(new Identity("bob", "sips:bob@pbx.example.net", "Bob", "pw"), bob);

        refused(defaults, sign(rsa1, claims().claim("preferred_username", "a@b").build()),
                "user claim is not a valid SIP user part");
        refused(defaults, sign(rsa1, claims().claim("sip_uri", "tel:+331").build()),
                "claim sip_uri is not a sip: or sips: URI");
        refused(defaults, sign(rsa1, claims().claim("name", 42).build()), "claim name is not a string");
    }

    @Test
    void expiredTokenIsRefusedBeyondTheClockSkew() throws JOSEException {
        IdentityConnector connector = jwksConnector();
        Instant now = Instant.now();
        refused(connector, sign(rsa1, claims().expirationTime(Date.from(now.minusSeconds(120))).build()), "token expired");
        assertEquals("alice",
                connector.authenticate(sign(rsa1, claims().expirationTime(Date.from(now.minusSeconds(10))).build())).user());
        refused(connector, sign(rsa1, claims().expirationTime(null).build()), "missing claims [exp]");
    }

    @Test
    void tokenNotYetValidIsRefused() throws JOSEException {
        refused(jwksConnector(), sign(rsa1, claims().notBeforeTime(Date.from(Instant.now().plusSeconds(120))).build()),
                "token not yet valid");
    }

    @Test
    void wrongOrMissingAudienceIsRefused() throws JOSEException {
        IdentityConnector connector = jwksConnector();
        refused(connector, sign(rsa1, claims().audience("another-app").build()), "wrong audience");
        refused(connector, sign(rsa1, claims().audience((String) null).build()), "wrong audience");
        assertEquals("alice", connector.authenticate(sign(rsa1, claims().audience(List.of("x", AUDIENCE)).build())).user());
    }

    /** The operator's plan from the settings; a token's claims narrow it and can never lift its deny. */
    @Test
    void theDialPlanComesFromTheSettingsAndTheTokenMayOnlyNarrowIt() throws JOSEException {
        IdentityConnector connector = create(Map.of("secret", SHARED_KEY,
                "dialPlan", Map.of("deny", List.of("tel:+339*"))));

        assertEquals(new DialPlan(List.of("*"), List.of("tel:+339*")),
                connector.authenticate(signHmac(JWSAlgorithm.HS256, SHARED_KEY, claims().build())).dialPlan());
        DialPlan narrowed = connector.authenticate(signHmac(JWSAlgorithm.HS256, SHARED_KEY, claims()
                .claim("dial_allow", List.of("tel:+33*", "tel:+339*")).claim("dial_deny", List.of("tel:+331*")).build()))
                .dialPlan();
        assertEquals(new DialPlan(List.of("tel:+33*", "tel:+339*"), List.of("tel:+339*", "tel:+331*")), narrowed);
        assertEquals(false, narrowed.permits("tel:+33912345678"));
        refused(connector, signHmac(JWSAlgorithm.HS256, SHARED_KEY, claims().claim("dial_allow", "tel:+33*").build()),
                "claim dial_allow is not a list of destination patterns");
        settingsRefused(Map.of("secret", SHARED_KEY, "dialPlan", Map.of("deny", "tel:+339*")),
                "identity.jwt.dialPlan.deny: must be a list of destination patterns, e.g. ['tel:+33*']");
    }

    /** The contract: issuer and audience are checked only when configured. */
    @Test
    void issuerAndAudienceAreNotCheckedWhenNotConfigured() throws JOSEException {
        IdentityConnector open = create(Map.of("secret", SHARED_KEY));
        JWTClaimsSet anyIssuer = claims().issuer("https://other.example.com").audience("another-app").build();

        assertEquals("alice", open.authenticate(signHmac(JWSAlgorithm.HS256, SHARED_KEY, anyIssuer)).user());
        refused(open, signHmac(JWSAlgorithm.HS256, SHARED_KEY, claims().expirationTime(null).build()),
                "missing claims [exp]");
    }

    @Test
    void wrongIssuerIsRefused() throws JOSEException {
        refused(jwksConnector(), sign(rsa1, claims().issuer("https://evil.example.com").build()), "wrong issuer");
    }

    @Test
    void tokenSignedByAKeyNotInTheJwksIsRefused() throws JOSEException {
        IdentityConnector connector = jwksConnector();
        refused(connector, sign(foreign, claims().build()), "bad signature");
        refused(connector, sign(new RSAKeyGenerator(2048).keyID("k9").generate(), claims().build()), "unknown signing key");
    }

    @Test
    void rotatedKeyIsFetchedOnUnknownKidAndTheCacheServesOtherwise() throws JOSEException {
        IdentityConnector connector = jwksConnector();
        assertEquals(0, hits.get(), "keys are fetched on the first login, not at creation");
        connector.authenticate(sign(rsa1, claims().build()));
        connector.authenticate(sign(ec, claims().build()));
        assertEquals(1, hits.get());

        serve(rsa1, rsa2);
        assertEquals("alice", connector.authenticate(sign(rsa2, claims().build())).user());
        assertEquals(2, hits.get(), "an unknown kid refreshes the keys");
        connector.authenticate(sign(rsa1, claims().build()));
        connector.authenticate(sign(rsa2, claims().build()));
        assertEquals(2, hits.get(), "known kids are served from the cache");

        RSAKey forged = new RSAKeyGenerator(2048).keyID("k3").generate();
        refused(connector, sign(forged, claims().build()), "unknown signing key");
        refused(connector, sign(forged, claims().build()), "unknown signing key");
        assertEquals(2, hits.get(), "refreshes are rate-limited");
    }

    @Test
    void unreachableJwksMeansKeysUnavailable() throws JOSEException {
        IdentityConnector connector = jwksConnector();
        server.stop(0);
        String token = sign(rsa1, claims().build());
        assertEquals("signing keys unavailable",
                assertThrows(IdentityUnavailableException.class, () -> connector.authenticate(token)).getMessage());
    }

    @Test
    void unsignedAndMalformedTokensAreRefused() throws JOSEException {
        IdentityConnector connector = jwksConnector();
        refused(connector, new PlainJWT(claims().build()).serialize(), "unsigned token (alg none) refused");
        refused(connector, "not-a-jwt", "malformed token");
        refused(connector, "", "missing token");
        refused(connector, signHmac(JWSAlgorithm.HS256, SHARED_KEY, claims().build()),
                "signature algorithm HS256 not accepted");
        assertEquals(0, hits.get(), "no fetch for a token refused before its signature is checked");
    }

    @Test
    void secretAcceptsItsOwnSignatureOnly() throws JOSEException {
        IdentityConnector connector = create(secretSettings(Map.of()));
        assertEquals("alice", connector.authenticate(signHmac(JWSAlgorithm.HS256, SHARED_KEY, claims().build())).user());
        refused(connector, signHmac(JWSAlgorithm.HS256, "another-secret-of-thirty-two-bytes!", claims().build()),
                "bad signature");
        refused(connector, signHmac(JWSAlgorithm.HS512, SHARED_KEY + SHARED_KEY, claims().build()),
                "signature algorithm HS512 not accepted");
        refused(connector, sign(rsa1, claims().build()), "signature algorithm RS256 not accepted");

        IdentityConnector hs512 = create(secretSettings(Map.of("secret", SHARED_KEY + SHARED_KEY,
                "algorithms", List.of("HS256", "HS512"))));
        assertEquals("alice", hs512.authenticate(signHmac(JWSAlgorithm.HS512, SHARED_KEY + SHARED_KEY, claims().build())).user());
    }

    @Test
    void missingOrInvalidSettingsNameTheKey() {
        settingsRefused(Map.of("issuer", ISSUER, "audience", AUDIENCE),
                "identity.jwt.jwksUri: required unless identity.jwt.secret is set");
        settingsRefused(secretSettings(Map.of("jwksUri", "https://idp.example.com/jwks")),
                "identity.jwt.secret: not allowed together with identity.jwt.jwksUri; set one of them");
        settingsRefused(secretSettings(Map.of("secret", "short")),
                "identity.jwt.secret: must be at least 32 bytes for HS256 (RFC 7518 §3.2), got 5");
        settingsRefused(secretSettings(Map.of("algorithms", "HS256, HS512")),
                "identity.jwt.secret: must be at least 64 bytes for HS512 (RFC 7518 §3.2), got 32");
        settingsRefused(secretSettings(Map.of("algorithms", List.of("HS256", "none"))),
                "identity.jwt.algorithms: 'none' is never accepted: tokens must be signed");
        settingsRefused(secretSettings(Map.of("algorithms", List.of("RS256"))),
                "identity.jwt.algorithms: 'RS256' is not allowed with secret; allowed: [HS256, HS384, HS512]");
        settingsRefused(secretSettings(Map.of("algorithms", List.of())), "identity.jwt.algorithms: must not be empty");
        settingsRefused(secretSettings(Map.of("clockSkew", "soon")),
                "identity.jwt.clockSkew: 'soon' is not a whole number of seconds from 0 to 600");
        settingsRefused(secretSettings(Map.of("clockSkew", -1)),
                "identity.jwt.clockSkew: '-1' is not a whole number of seconds from 0 to 600");
        settingsRefused(secretSettings(Map.of("issuer", List.of("a"))), "identity.jwt.issuer: must be a single value");
        settingsRefused(secretSettings(Map.of("claims", Map.of("usr", "uid"))), "identity.jwt.claims.usr: unknown key");
        settingsRefused(secretSettings(Map.of("claims", "uid")),
                "identity.jwt.claims: must be a mapping of user, sipUri, displayName, sipPassword, dialAllow, dialDeny");
        settingsRefused(secretSettings(Map.of("jwks", "x")), "identity.jwt.jwks: unknown key");

        Consumer<String> badUrl = url -> settingsRefused(Map.of("jwksUri", url, "issuer", ISSUER, "audience", AUDIENCE),
                "identity.jwt.jwksUri: '" + url + "' is not an http or https URL");
        badUrl.accept("file:///etc/jwks.json");
        badUrl.accept("idp.example.com/jwks");
        settingsRefused(Map.of("jwksUri", "https://idp.example.com/jwks", "issuer", ISSUER, "audience", AUDIENCE,
                        "algorithms", "RS256,HS256"),
                "identity.jwt.algorithms: 'HS256' is not allowed with jwksUri; allowed: "
                        + "[ES256, ES384, ES512, PS256, PS384, PS512, RS256, RS384, RS512]");
    }
}
