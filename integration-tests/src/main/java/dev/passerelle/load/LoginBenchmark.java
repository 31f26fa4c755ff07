package dev.passerelle.load;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.passerelle.gateway.Gateway;
import dev.passerelle.gateway.config.ConfigLoader;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.WsClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Logins per second with JWT validation: a gateway in this JVM with {@code identity.connector: jwt}
 * (RS256 against a JWKS served over HTTP on loopback, or HS256 with a shared secret), and
 * {@code --concurrency} WebSocket clients that each log in with a freshly signed token, log out and
 * log in again. Latency is from sending {@code session.login} to receiving its result; the tokens
 * are signed before the clock starts.
 */
@Command(name = "passerelle-login-bench", mixinStandardHelpOptions = true,
        description = "Logins per second through a Passerelle gateway validating JWTs.")
public final class LoginBenchmark implements Callable<Integer> {
    private static final String ISSUER = "https://idp.bench.example";
    private static final String AUDIENCE = "passerelle";
    private static final String SECRET = "a-bench-secret-of-at-least-thirty-two-bytes";

    @Option(names = "--alg", defaultValue = "RS256", description = "RS256 (JWKS over HTTP) or HS256 (shared secret) (default ${DEFAULT-VALUE})")
    private String alg;

    @Option(names = "--logins", defaultValue = "5000", description = "logins to perform (default ${DEFAULT-VALUE})")
    private int logins;

    @Option(names = "--concurrency", defaultValue = "10", description = "clients logging in at once (default ${DEFAULT-VALUE})")
    private int concurrency;

    @Option(names = "--users", defaultValue = "1000", description = "distinct users the tokens name (default ${DEFAULT-VALUE})")
    private int users;

    private final AtomicInteger next = new AtomicInteger();
    private final Failures failures = new Failures();
    private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoginBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        boolean rsa = switch (alg) {
            case "RS256" -> true;
            case "HS256" -> false;
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--alg: RS256 or HS256");
        };
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench-1").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] jwksBody = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwksBody.length);
            exchange.getResponseBody().write(jwksBody);
            exchange.close();
        });
        jwks.start();
        Path connectors = Files.createTempDirectory("passerelle-login-bench");
        String source = rsa
                ? "jwksUri: \"http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks\""
                : "secret: \"" + SECRET + "\"";
        Gateway gateway = new Gateway(new ConfigLoader(Map.of()).fromYaml("""
                websocket:
                  host: 127.0.0.1
                  port: 0
                sip:
                  host: 127.0.0.1
                  port: 0
                identity:
                  connector: jwt
                  jwt:
                    %s
                    issuer: "%s"
                    audience: "%s"
                connectors:
                  dir: %s
                """.formatted(source, ISSUER, AUDIENCE, connectors.toAbsolutePath())));
        List<WsClient> clients = new ArrayList<>();
        try {
            gateway.start();
            URI ws = URI.create("ws://127.0.0.1:" + gateway.webSocketPort() + "/ws");
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < logins; i++) {
                tokens.add(sign(rsa, key, "user" + (i % users)));
            }
            for (int i = 0; i < concurrency; i++) {
                clients.add(WsClient.connect(ws, Duration.ofSeconds(10)));
            }
            System.out.printf("gateway ws=%d, identity jwt %s; %d logins, concurrency %d, %d users%n",
                    gateway.webSocketPort(), alg, logins, concurrency, users);
            long begin = System.nanoTime();
            ExecutorService workers = Executors.newFixedThreadPool(concurrency);
            List<Future<?>> running = new ArrayList<>();
            for (WsClient client : clients) {
                running.add(workers.submit(() -> {
                    int n;
                    while ((n = next.getAndIncrement()) < logins) {
                        login(client, tokens.get(n));
                    }
                }));
            }
            workers.shutdown();
            for (Future<?> f : running) {
                f.get();
            }
            report(System.nanoTime() - begin);
        } finally {
            clients.forEach(WsClient::close);
            gateway.close();
            jwks.stop(0);
            Files.deleteIfExists(connectors);
        }
        return failures.count() == 0 ? 0 : 1;
    }

    private void login(WsClient client, String token) {
        Duration timeout = Duration.ofSeconds(10);
        long t0 = System.nanoTime();
        RpcReply login = client.call("session.login", WsClient.params().put("token", token), timeout);
        if (login.isError()) {
            failures.add("session.login refused: " + login.error());
            return;
        }
        nanos.add(System.nanoTime() - t0);
        RpcReply logout = client.call("session.logout", WsClient.params(), timeout);
        if (logout.isError()) {
            failures.add("session.logout refused: " + logout.error());
        }
    }

    private static String sign(boolean rsa, RSAKey key, String user) throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .claim("preferred_username", user)
                .expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                .build();
        SignedJWT jwt = rsa
                ? new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims)
                : new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(rsa ? new RSASSASigner(key) : new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private void report(long elapsedNanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        double seconds = elapsedNanos / 1e9;
        System.out.printf(Locale.ROOT, "logins: %d done, %d failed, in %.1f s: %.1f logins per second%n",
                sorted.size(), failures.count(), seconds, sorted.size() / seconds);
        if (!sorted.isEmpty()) {
            System.out.printf(Locale.ROOT, "login latency (session.login sent -> result): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    Percentiles.millis(sorted, 50), Percentiles.millis(sorted, 99), sorted.get(sorted.size() - 1) / 1e6);
        }
        failures.printSamples();
    }
}
