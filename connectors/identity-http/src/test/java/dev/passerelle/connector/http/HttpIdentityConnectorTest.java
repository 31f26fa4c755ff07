package dev.passerelle.connector.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpIdentityConnectorTest {
    private static final String ISSUER = "https://idp.example.com/realms/web";
    private static final String AUDIENCE = "passerelle";
    private static final String TOKEN = "opaque-Tok+en/=";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Held so that the logger, and the handler on it, outlive a garbage collection. */
    private static final Logger CLIENT_LOG = Logger.getLogger(IntrospectionClient.class.getName());

    /** What the endpoint received. */
    private record Received(String method, String contentType, String accept, String authorization, String body) {}

    /** What the endpoint answers; {@code chunked} sends no Content-Length. */
    private record Reply(int status, String contentType, byte[] body, boolean chunked) {}

    /** A clock the test moves; the JDK's own abstraction, so the connector runs unchanged. */
    private static final class TestClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private HttpServer server;
    private ExecutorService serverThreads;
    private final AtomicInteger hits = new AtomicInteger();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final TestClock clock = new TestClock();
    private volatile Reply reply;
    private volatile String requiredAuthorization;
    private volatile boolean hang;

    @BeforeEach
    void startIntrospectionEndpoint() throws IOException {
        answer(active(Map.of()));
        serverThreads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(serverThreads);
        server.createContext("/introspect", exchange -> {
            hits.incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Accept"), authorization,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            if (hang) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Reply r = reply;
            if (requiredAuthorization != null && !requiredAuthorization.equals(authorization)) {
                r = new Reply(401, "application/json", "{\"error\":\"invalid_client\"}".getBytes(StandardCharsets.UTF_8),
                        false);
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"introspection\"");
            }
            exchange.getResponseHeaders().set("Content-Type", r.contentType());
            exchange.sendResponseHeaders(r.status(), r.chunked() ? 0 : r.body().length == 0 ? -1 : r.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(r.body());
            } catch (IOException e) {
                // The connector hung up on a body it would not read to the end.
            }
        });
        server.start();
        CLIENT_LOG.addHandler(logCapture);
        CLIENT_LOG.setUseParentHandlers(false);
    }

    @AfterEach
    void stopIntrospectionEndpoint() {
        CLIENT_LOG.removeHandler(logCapture);
        CLIENT_LOG.setUseParentHandlers(true);
        release.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private String introspectionUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/introspect";
    }

    private Map<String, Object> active(Map<String, Object> extra) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("active", true);
        answer.put("client_id", "web-app");
        answer.put("username", "alice");
        answer.put("sub", "f81d4fae-7dec");
        answer.put("name", "Alice Liddell");
        answer.put("iss", ISSUER);
        answer.put("aud", AUDIENCE);
        answer.put("exp", clock.instant().getEpochSecond() + 300);
        answer.putAll(extra);
        answer.values().removeIf(v -> v == null);
        return answer;
    }

    /** The member removed from the default active answer. */
    private Map<String, Object> activeWithout(String member) {
        Map<String, Object> answer = active(Map.of());
        answer.remove(member);
        return answer;
    }

    private void answer(Map<String, Object> body) {
        try {
            answerRaw(200, "application/json", JSON.writeValueAsString(body), false);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void answerRaw(int status, String contentType, String body, boolean chunked) {
        reply = new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8), chunked);
    }

    private static IdentityConnectorFactory factory() {
        return ServiceLoader.load(IdentityConnectorFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("http"))
                .findFirst()
                .orElseThrow();
    }

    private static IdentityConnector create(Map<String, Object> settings) {
        return factory().create(new ConnectorContext("identity.http", settings, "example.com"));
    }

    private Map<String, Object> settings(Map<String, Object> extra) {
        Map<String, Object> settings = new HashMap<>(Map.of("introspectionUri", introspectionUri(),
                "clientId", "passerelle", "clientSecret", "s3cret", "issuer", ISSUER, "audience", AUDIENCE));
        settings.putAll(extra);
        settings.values().removeIf(v -> v == null);
        return settings;
    }

    private IdentityConnector connector() {
        return create(settings(Map.of()));
    }

    /** With the test's clock: the only way to see cache entries expire without waiting. */
    private IdentityConnector clockedConnector(Map<String, Object> extra) {
        return new HttpIdentityConnector(HttpSettings.from(new ConnectorContext("identity.http", settings(extra),
                "example.com")), "example.com", clock);
    }

    /** Refuses the token with that reason, and neither the reason nor any log line shows the token. */
    private void refused(IdentityConnector connector, String token, String reason) {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> connector.authenticate(token));
        assertEquals(reason, e.getMessage());
        assertFalse(!token.isEmpty() && e.getMessage().contains(token), "the reason leaks the token");
        for (LogRecord record : logged) {
            assertFalse(!token.isEmpty() && String.valueOf(record.getMessage()).contains(token), "a log line leaks the token");
        }
    }

    /** Fails as unavailable (503, not 401), says why in the log, and shows the token nowhere. */
    private void unavailable(IdentityConnector connector, String logSays) {
        logged.clear();
        IdentityUnavailableException e = assertThrows(IdentityUnavailableException.class,
                () -> connector.authenticate(TOKEN));
        assertEquals("identity server unavailable", e.getMessage());
        for (LogRecord record : logged) {
            assertFalse(String.valueOf(record.getMessage()).contains(TOKEN), "a log line leaks the token");
        }
        assertTrue(logged.stream().anyMatch(r -> r.getMessage().contains(logSays)),
                "a log line says '" + logSays + "': " + logged.stream().map(LogRecord::getMessage).toList());
    }

    private static void settingsRefused(Map<String, Object> settings, String message) {
        ConnectorException e = assertThrows(ConnectorException.class, () -> create(settings));
        assertEquals(message, e.getMessage());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void factoryIsFoundByServiceLoaderWithItsNameAndApiVersion() {
        IdentityConnectorFactory factory = factory();
        assertEquals(HttpIdentityConnectorFactory.class, factory.getClass());
        assertEquals(ConnectorApi.VERSION, factory.apiVersion());
    }

    @Test
    void activeTokenGivesTheIdentityAfterAnRfc7662Request() {
        IdentityConnector connector = connector();
        Identity alice = connector.authenticate(TOKEN);

        assertEquals(new Identity("alice", "sip:alice@example.com", "Alice Liddell", null, DialPlan.ANY), alice);
        assertEquals(List.of(new Received("POST", "application/x-www-form-urlencoded", "application/json",
                        basic("passerelle", "s3cret"), "token=opaque-Tok%2Ben%2F%3D&token_type_hint=access_token")),
                received);
        assertTrue(connector.lookup("alice").isEmpty());
    }

    @Test
    void userFallsBackToSubAndClaimNamesAreConfigurable() {
        IdentityConnector defaults = connector();
        answer(activeWithout("username"));
        assertEquals("f81d4fae-7dec", defaults.authenticate("t1").user());

        IdentityConnector custom = create(settings(Map.of(
                "claims", Map.of("user", "uid", "sipUri", "aor", "displayName", "cn", "sipPassword", "sip_pw"))));
        answer(active(Map.of("uid", "bob", "aor", "sips:bob@pbx.example.net", "cn", "Bob", "sip_pw", "pw")));
        assertEquals(new Identity("bob", "sips:bob@pbx.example.net", "Bob", "pw"), custom.authenticate("t2"));

        answer(active(Map.of("username", "a@b")));
        refused(defaults, "t3", "user claim is not a valid SIP user part");
        answer(active(Map.of("sip_uri", "tel:+331")));
        refused(defaults, "t4", "claim sip_uri is not a sip: or sips: URI");
        answer(active(Map.of("name", 42)));
        refused(defaults, "t5", "claim name is not a string");
        Map<String, Object> nobody = activeWithout("username");
        nobody.remove("sub");
        answer(nobody);
        refused(defaults, "t6", "token names no user (claims username, sub)");
    }

    @Test
    void inactiveTokenIsRefusedAndNotCached() {
        IdentityConnector connector = connector();
        answer(Map.of("active", false));
        refused(connector, TOKEN, "token inactive");
        refused(connector, TOKEN, "token inactive");
        assertEquals(2, hits.get(), "refusals are not cached");

        answer(active(Map.of()));
        assertEquals("alice", connector.authenticate(TOKEN).user());
    }

    @Test
    void expiredOrNotYetValidTokenIsRefusedBeyondTheClockSkew() {
        IdentityConnector connector = connector();
        long now = Instant.now().getEpochSecond();
        answer(active(Map.of("exp", now - 120)));
        refused(connector, "t1", "token expired");
        answer(active(Map.of("exp", now - 10)));
        assertEquals("alice", connector.authenticate("t2").user());
        answer(active(Map.of("nbf", now + 120)));
        refused(connector, "t3", "token not yet valid");
        answer(active(Map.of("nbf", now + 10)));
        assertEquals("alice", connector.authenticate("t4").user());
        answer(active(Map.of("exp", "tomorrow")));
        refused(connector, "t5", "claim exp is not a NumericDate");
        answer(activeWithout("exp"));
        assertEquals("alice", connector.authenticate("t6").user(), "exp is optional in RFC 7662 §2.2");
    }

    @Test
    void wrongIssuerOrAudienceIsRefusedWhenConfigured() {
        IdentityConnector connector = connector();
        answer(active(Map.of("iss", "https://evil.example.com")));
        refused(connector, "t1", "wrong issuer");
        answer(activeWithout("iss"));
        refused(connector, "t2", "wrong issuer");
        answer(active(Map.of("aud", "another-app")));
        refused(connector, "t3", "wrong audience");
        answer(activeWithout("aud"));
        refused(connector, "t4", "wrong audience");
        answer(active(Map.of("aud", List.of("x", AUDIENCE))));
        assertEquals("alice", connector.authenticate("t5").user());

        Map<String, Object> open = settings(new HashMap<>());
        open.remove("issuer");
        open.remove("audience");
        answer(active(Map.of("iss", "https://other.example.com", "aud", "another-app")));
        assertEquals("alice", create(open).authenticate("t6").user());
    }

    @Test
    void endpointRequiringClientCredentialsRefusesAGatewayWithoutThem() {
        requiredAuthorization = basic("gate+way%3A1", "s%3Acr%25t");
        Map<String, Object> anonymous = settings(new HashMap<>());
        anonymous.remove("clientId");
        anonymous.remove("clientSecret");
        unavailable(create(anonymous), "answered 401");
        assertNull(received.get(0).authorization());
        unavailable(create(settings(Map.of("clientId", "gate way:1", "clientSecret", "wrong"))), "answered 401");

        Identity alice = create(settings(Map.of("clientId", "gate way:1", "clientSecret", "s:cr%t"))).authenticate(TOKEN);
        assertEquals("alice", alice.user(), "RFC 6749 §2.3.1: id and secret form-encoded inside Basic");

        requiredAuthorization = "Bearer 2YotnFZFEjr1zCsicMWpAA";
        Map<String, Object> bearer = settings(Map.of("authorization", "Bearer 2YotnFZFEjr1zCsicMWpAA"));
        bearer.remove("clientId");
        bearer.remove("clientSecret");
        assertEquals("alice", create(bearer).authenticate(TOKEN).user());
    }

    @Test
    void serverDownIsUnavailable() {
        IdentityConnector connector = connector();
        server.stop(0);
        unavailable(connector, "unreachable");
    }

    @Test
    void silentServerIsUnavailableWithinTheTimeout() {
        IdentityConnector connector = create(settings(Map.of("timeout", 300)));
        hang = true;
        long start = System.nanoTime();
        unavailable(connector, "no answer within 300 ms");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // It waited for the timeout, and did not wait for the silent server forever.
        assertTrue(elapsedMs >= 300 && elapsedMs < 10_000, "gave up after " + elapsedMs + " ms");
    }

    @Test
    void serverErrorIsUnavailable() {
        IdentityConnector connector = connector();
        answerRaw(500, "application/json", "{\"active\":true,\"username\":\"alice\"}", false);
        unavailable(connector, "answered 500");
        answerRaw(302, "text/html", "", false);
        unavailable(connector, "answered 302");
    }

    @Test
    void answerThatIsNotAnIntrospectionResponseIsUnavailable() {
        IdentityConnector connector = connector();
        answerRaw(200, "text/html", "<html>login</html>", false);
        unavailable(connector, "answered Content-Type 'text/html'");
        answerRaw(200, "application/json", "<html>login</html>", false);
        unavailable(connector, "answered malformed JSON (line 1, column 1)");
        answerRaw(200, "application/json", "{\"active\":true,\"username\":\"alice\"} {}", false);
        unavailable(connector, "answered malformed JSON");
        answerRaw(200, "application/json; charset=utf-8", "[{\"active\":true}]", false);
        unavailable(connector, "answered JSON that is not an object");
        answerRaw(200, "application/json", "{\"active\":\"true\",\"username\":\"alice\"}", false);
        unavailable(connector, "without a boolean 'active'");
        answerRaw(200, "application/json", "{\"active\":false,\"active\":true,\"username\":\"alice\"}", false);
        unavailable(connector, "answered malformed JSON");
        answerRaw(200, "application/json", "", false);
        unavailable(connector, "answered JSON that is not an object");
    }

    @Test
    void answerLargerThan64KiBIsUnavailableAndOneOfExactly64KiBIsRead() {
        IdentityConnector connector = connector();
        String head = "{\"active\":true,\"username\":\"alice\",\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE
                + "\",\"pad\":\"";
        String tail = "\"}";
        String exact = head + "x".repeat(IntrospectionClient.MAX_RESPONSE_BYTES - head.length() - tail.length()) + tail;
        String over = head + "x".repeat(IntrospectionClient.MAX_RESPONSE_BYTES + 1 - head.length() - tail.length()) + tail;

        answerRaw(200, "application/json", over, false);
        unavailable(connector, "answered more than 65536 bytes");
        answerRaw(200, "application/json", over, true);
        unavailable(connector, "answered more than 65536 bytes");
        answerRaw(200, "application/json", exact, true);
        assertEquals("alice", connector.authenticate(TOKEN).user());
    }

    @Test
    void tokensRefusedBeforeAnyRequest() {
        IdentityConnector connector = connector();
        refused(connector, "", "missing token");
        refused(connector, "  ", "missing token");
        refused(connector, "x".repeat(HttpIdentityConnector.MAX_TOKEN_LENGTH + 1), "token too long");
        assertEquals(0, hits.get());
    }

    @Test
    void activeTokenIsServedFromTheCacheForCacheSeconds() {
        IdentityConnector connector = clockedConnector(Map.of("cacheSeconds", 30));
        Identity first = connector.authenticate(TOKEN);
        assertEquals(first, connector.authenticate(TOKEN));
        assertEquals(1, hits.get(), "the second login is served from the cache");
        connector.authenticate("another-token");
        assertEquals(2, hits.get(), "another token is introspected");

        clock.advance(Duration.ofSeconds(29));
        connector.authenticate(TOKEN);
        assertEquals(2, hits.get());
        clock.advance(Duration.ofSeconds(1));
        answer(Map.of("active", false));
        refused(connector, TOKEN, "token inactive");
        assertEquals(3, hits.get(), "after cacheSeconds the token is introspected again, and revocation seen");
    }

    @Test
    void cacheNeverOutlivesTheTokensExp() {
        IdentityConnector connector = clockedConnector(Map.of("cacheSeconds", 30, "clockSkew", 0));
        answer(active(Map.of("exp", clock.instant().getEpochSecond() + 10)));
        connector.authenticate(TOKEN);
        clock.advance(Duration.ofSeconds(9));
        connector.authenticate(TOKEN);
        assertEquals(1, hits.get());
        clock.advance(Duration.ofSeconds(2));
        refused(connector, TOKEN, "token expired");
        assertEquals(2, hits.get(), "the entry ended at exp, before cacheSeconds");
    }

    @Test
    void cacheSecondsZeroIntrospectsEveryLogin() {
        IdentityConnector connector = create(settings(Map.of("cacheSeconds", 0)));
        connector.authenticate(TOKEN);
        connector.authenticate(TOKEN);
        assertEquals(2, hits.get());
    }

    @Test
    void tokensAllowListReplacesTheConfiguredOneAndItsDenyListAddsToIt() {
        Map<String, Object> plan = Map.of("allow", List.of("sip:*@example.com", "tel:+33*"), "deny", List.of("tel:+339*"));
        IdentityConnector connector = create(settings(Map.of("dialPlan", plan)));
        DialPlan configured = new DialPlan(List.of("sip:*@example.com", "tel:+33*"), List.of("tel:+339*"));
        assertEquals(configured, connector.authenticate("t1").dialPlan());

        answer(active(Map.of("dial_allow", List.of("tel:+1*", "*"))));
        DialPlan widened = connector.authenticate("t2").dialPlan();
        assertEquals(new DialPlan(List.of("tel:+1*", "*"), List.of("tel:+339*")), widened);
        assertTrue(widened.permits("tel:+15551234"));
        assertFalse(widened.permits("tel:+33912345678"), "a token cannot lift the operator's deny");

        answer(active(Map.of("dial_allow", "tel:+1*", "dial_deny", List.of("tel:+1900*"))));
        DialPlan narrowed = connector.authenticate("t3").dialPlan();
        assertEquals(new DialPlan(List.of("tel:+1*"), List.of("tel:+339*", "tel:+1900*")), narrowed);
        assertFalse(narrowed.permits("sip:bob@example.com"), "the token's allow list replaced the configured one");
        assertFalse(narrowed.permits("tel:+19005550000"));

        answer(active(Map.of("dial_deny", List.of("sip:boss@*"))));
        assertEquals(new DialPlan(configured.allow(), List.of("tel:+339*", "sip:boss@*")),
                connector.authenticate("t4").dialPlan());

        IdentityConnector renamed = create(settings(Map.of("claims", Map.of("dialAllow", "routes"))));
        answer(active(Map.of("routes", List.of("tel:+44*"))));
        assertEquals(new DialPlan(List.of("tel:+44*"), List.of()), renamed.authenticate("t5").dialPlan());

        answer(active(Map.of("dial_allow", Map.of("tel", "+1"))));
        refused(connector, "t6", "claim dial_allow is not a list of strings");
        answer(active(Map.of("dial_deny", List.of(1))));
        refused(connector, "t7", "claim dial_deny is not a list of strings");
    }

    @Test
    void missingOrInvalidSettingsNameTheKey() {
        String uri = "https://idp.example.com/introspect";
        settingsRefused(Map.of(), "identity.http.introspectionUri: required");
        settingsRefused(Map.of("introspectionUri", "file:///etc/passwd"),
                "identity.http.introspectionUri: 'file:///etc/passwd' is not an http or https URL");
        settingsRefused(Map.of("introspectionUri", "idp.example.com/introspect"),
                "identity.http.introspectionUri: 'idp.example.com/introspect' is not an http or https URL");
        settingsRefused(Map.of("introspectionUri", "https://gw:pw@idp.example.com/introspect"),
                "identity.http.introspectionUri: must not carry credentials; set identity.http.clientId and "
                        + "identity.http.clientSecret");
        settingsRefused(Map.of("introspectionUri", uri, "clientId", "gw"),
                "identity.http.clientSecret: required with identity.http.clientId");
        settingsRefused(Map.of("introspectionUri", uri, "clientSecret", "pw"),
                "identity.http.clientId: required with identity.http.clientSecret");
        settingsRefused(Map.of("introspectionUri", uri, "clientId", "gw", "clientSecret", "pw", "authorization", "Bearer x"),
                "identity.http.authorization: not allowed together with identity.http.clientId and "
                        + "identity.http.clientSecret; set one of them");
        String badHeader = "identity.http.authorization: must be a whole Authorization header value in visible ASCII, "
                + "e.g. 'Bearer <token>'";
        settingsRefused(Map.of("introspectionUri", uri, "authorization", "2YotnFZFEjr1zCsicMWpAA"), badHeader);
        settingsRefused(Map.of("introspectionUri", uri, "authorization", "Bearer x\r\nX-Evil: 1"), badHeader);
        settingsRefused(Map.of("introspectionUri", uri, "timeout", 0),
                "identity.http.timeout: '0' is not a whole number of milliseconds from 1 to 60000");
        settingsRefused(Map.of("introspectionUri", uri, "timeout", "2s"),
                "identity.http.timeout: '2s' is not a whole number of milliseconds from 1 to 60000");
        settingsRefused(Map.of("introspectionUri", uri, "clockSkew", 601),
                "identity.http.clockSkew: '601' is not a whole number of seconds from 0 to 600");
        settingsRefused(Map.of("introspectionUri", uri, "cacheSeconds", -1),
                "identity.http.cacheSeconds: '-1' is not a whole number of seconds from 0 to 3600");
        settingsRefused(Map.of("introspectionUri", uri, "issuer", List.of("a")), "identity.http.issuer: must be a single value");
        settingsRefused(Map.of("introspectionUri", uri, "audience", " "), "identity.http.audience: must not be empty");
        settingsRefused(Map.of("introspectionUri", uri, "claims", Map.of("usr", "uid")), "identity.http.claims.usr: unknown key");
        settingsRefused(Map.of("introspectionUri", uri, "claims", "uid"),
                "identity.http.claims: must be a mapping of user, sipUri, displayName, sipPassword, dialAllow, dialDeny");
        settingsRefused(Map.of("introspectionUri", uri, "dialPlan", List.of("*")),
                "identity.http.dialPlan: must be a mapping of allow, deny");
        settingsRefused(Map.of("introspectionUri", uri, "dialPlan", Map.of("block", List.of("*"))),
                "identity.http.dialPlan.block: unknown key");
        settingsRefused(Map.of("introspectionUri", uri, "dialPlan", Map.of("deny", "tel:+339*")),
                "identity.http.dialPlan.deny: must be a list of destination patterns, e.g. ['tel:+33*']");
        settingsRefused(Map.of("introspectionUri", uri, "dialPlan", Map.of("allow", List.of("tel:*", " "))),
                "identity.http.dialPlan.allow: every pattern must be a non-empty string, got ' '");
        settingsRefused(Map.of("introspectionUri", uri, "jwksUri", "x"), "identity.http.jwksUri: unknown key");
    }

    @Test
    void settingsNeverShowTheCredentials() {
        String shown = HttpSettings.from(new ConnectorContext("identity.http", settings(Map.of()), "example.com")).toString();
        assertFalse(shown.contains("s3cret") || shown.contains(basic("passerelle", "s3cret").substring(6)), shown);
        assertTrue(shown.contains("authorization=(set)"), shown);
    }
}
