package dev.passerelle.it;

import dev.passerelle.gateway.Gateway;
import dev.passerelle.gateway.config.ConfigLoader;
import dev.passerelle.peers.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One real gateway built by the composition root, listening on free loopback ports, with the
 * static users alice and bob, and the WebSocket clients a test opened on it.
 */
final class GatewayHarness implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** The identity section every IT uses unless it selects another connector. */
    private static final String STATIC_USERS = """
            connector: static
              static:
                users:
                  - {user: alice, token: alice-token}
                  - {user: bob, token: bob-token}
                  - {user: carol, token: carol-token, dialDeny: ["tel:+339*", "sip:*@premium.example.com"]}""";

    private final Gateway gateway;
    private final Path connectorsDir;
    private final boolean ownsConnectorsDir;
    private final List<WsClient> clients = new ArrayList<>();

    private GatewayHarness(Gateway gateway, Path connectorsDir, boolean ownsConnectorsDir) {
        this.gateway = gateway;
        this.connectorsDir = connectorsDir;
        this.ownsConnectorsDir = ownsConnectorsDir;
    }

    /** The configuration every IT uses; ports 0 and no outbound proxy, so calls route by Request-URI. */
    static String yaml(Path connectorsDir) {
        return yaml(connectorsDir, null);
    }

    /** The same with {@code sip.outboundProxy} set when it is not null. */
    static String yaml(Path connectorsDir, String outboundProxy) {
        return yaml(connectorsDir, outboundProxy, "");
    }

    /** The same, followed by {@code extra}: whole top-level sections such as {@code media:}. */
    static String yaml(Path connectorsDir, String outboundProxy, String extra) {
        return yaml("it-node", connectorsDir, outboundProxy, extra);
    }

    private static String yaml(String nodeId, Path connectorsDir, String outboundProxy, String extra) {
        return yaml(nodeId, connectorsDir, outboundProxy, "", extra, STATIC_USERS, "");
    }

    /**
     * @param sip further keys of {@code sip:}, each line at two spaces; a {@code host} among them
     *     replaces 127.0.0.1
     * @param identity what follows {@code identity:} (its first line unindented, the others at
     *     two spaces)
     * @param connectors further keys of {@code connectors:}, each line at two spaces
     */
    private static String yaml(String nodeId, Path connectorsDir, String outboundProxy, String sip, String extra,
            String identity, String connectors) {
        return """
                node:
                  id: %s
                  heartbeat: 200
                  timeout: 1000
                websocket:
                  host: 127.0.0.1
                  port: 0
                sip:
                %s
                  port: 0
                  domain: localhost
                %s
                %s
                identity:
                  %s
                connectors:
                  dir: %s
                %s
                %s""".formatted(nodeId, sip.contains("  host:") ? "" : "  host: 127.0.0.1",
                outboundProxy == null ? "" : "  outboundProxy: \"" + outboundProxy + "\"", sip, identity, connectorsDir.toAbsolutePath(), connectors, extra);
    }

    static GatewayHarness start() {
        return start(null);
    }

    /** A gateway whose every SIP request goes to {@code outboundProxy} (a sip: URI) when not null. */
    static GatewayHarness start(String outboundProxy) {
        return start(outboundProxy, "");
    }

    /** A gateway with {@code extra} configuration: whole top-level sections such as {@code session:}. */
    static GatewayHarness withSections(String extra) {
        return start(null, extra);
    }

    /** A gateway whose media is anchored in the rtpengine that listens for ng at {@code ngUri}. */
    static GatewayHarness withRtpengine(String ngUri) {
        return start(null, """
                media:
                  anchor: rtpengine
                  rtpengine:
                    ng: "%s"
                """.formatted(ngUri));
    }

    /**
     * A gateway whose media is anchored in the rtpengine at {@code ngUri} and whose {@code sip:}
     * section also holds {@code sip} (keys, each line at two spaces).
     */
    static GatewayHarness withRtpengine(String ngUri, String sip) {
        return start("it-node", null, sip, """
                media:
                  anchor: rtpengine
                  rtpengine:
                    ng: "%s"
                """.formatted(ngUri));
    }

    /** A gateway that hands out TURN REST API credentials for {@code url}, signed with {@code secret}. */
    static GatewayHarness withTurn(String url, String secret) {
        return start(null, """
                qos:
                  turn:
                    urls: ["%s"]
                    secret: "%s"
                    ttl: 600
                """.formatted(url, secret));
    }

    /** A gateway whose sessions, calls and event logs live in the Redis at {@code uri}. */
    static GatewayHarness withRedis(String uri) {
        return start(null, """
                store:
                  type: redis
                  redis:
                    uri: "%s"
                    timeout: 500
                    prefix: "it-%s:"
                """.formatted(uri, java.util.UUID.randomUUID()));
    }

    /**
     * A gateway on the Redis at {@code redisUri} under {@code prefix} whose quality reports go to
     * {@code qosUri} one by one ({@code batchSize} 1), a failed POST retried after 50 ms.
     */
    static GatewayHarness withQosReports(String redisUri, String prefix, URI qosUri) {
        return start(null, """
                store:
                  type: redis
                  redis:
                    uri: "%s"
                    timeout: 500
                    prefix: "%s"
                qos:
                  turn:
                    reports:
                      uri: "%s"
                      batchSize: 1
                      flushInterval: 50
                      timeout: 2000
                """.formatted(redisUri, prefix, qosUri));
    }

    /**
     * One node of a cluster: {@code nodeId}, on the Redis at {@code uri} under {@code prefix},
     * which every node of the same cluster shares.
     */
    static GatewayHarness clusterNode(String nodeId, String uri, String prefix) {
        return clusterNode(nodeId, uri, prefix, Duration.ofSeconds(60));
    }

    /** The same, with {@code session.resumeWindow} set. */
    static GatewayHarness clusterNode(String nodeId, String uri, String prefix, Duration resumeWindow) {
        return start(nodeId, null, """
                store:
                  type: redis
                  redis:
                    uri: "%s"
                    timeout: 500
                    prefix: "%s"
                session:
                  resumeWindow: %d
                """.formatted(uri, prefix, resumeWindow.toSeconds()));
    }

    /**
     * A gateway in IMS mode: web users are registered at {@code registrar} (a sip: URI), every
     * request goes through {@code outboundProxy}; alice ({@code alice-pw}) and bob (a password the
     * registrar refuses, {@code wrong-pw}) have AORs in {@code domain}, carol has no password.
     */
    static GatewayHarness withRegistrar(String registrar, String outboundProxy, String domain) {
        return withRegistrar(registrar, outboundProxy, domain, "", "");
    }

    /**
     * The same, with {@code sip} (more keys of {@code sip:}, each line at two spaces) and {@code
     * extra} (whole top-level sections such as {@code media:}).
     */
    static GatewayHarness withRegistrar(String registrar, String outboundProxy, String domain, String sip,
            String extra) {
        String identity = """
                connector: static
                  static:
                    users:
                      - {user: alice, token: alice-token, sipUri: "sip:alice@%s", sipPassword: alice-pw}
                      - {user: bob, token: bob-token, sipUri: "sip:bob@%s", sipPassword: wrong-pw}
                      - {user: carol, token: carol-token}""".formatted(domain, domain);
        Path dir;
        try {
            dir = Files.createTempDirectory("passerelle-it-connectors");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String yaml = yaml("it-node", dir, outboundProxy, "  registrar: \"" + registrar + "\"\n" + sip, extra,
                identity, "");
        Gateway gateway = new Gateway(new ConfigLoader(Map.of()).fromYaml(yaml));
        gateway.start();
        return new GatewayHarness(gateway, dir, true);
    }

    private static GatewayHarness start(String outboundProxy, String extra) {
        return start("it-node", outboundProxy, extra);
    }

    private static GatewayHarness start(String nodeId, String outboundProxy, String extra) {
        return start(nodeId, outboundProxy, "", extra);
    }

    /**
     * A gateway whose {@code sip:} section also holds {@code sip} (keys, each line at two spaces),
     * with {@code sip.outboundProxy} set when {@code outboundProxy} is not null.
     */
    static GatewayHarness withSip(String outboundProxy, String sip) {
        return start("it-node", outboundProxy, sip, "");
    }

    private static GatewayHarness start(String nodeId, String outboundProxy, String sip, String extra) {
        Path dir;
        try {
            dir = Files.createTempDirectory("passerelle-it-connectors");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // An empty environment: a PASSERELLE_* variable of the machine must not change the test.
        Gateway gateway = new Gateway(new ConfigLoader(Map.of()).fromYaml(
                yaml(nodeId, dir, outboundProxy, sip, extra, STATIC_USERS, "")));
        gateway.start();
        return new GatewayHarness(gateway, dir, true);
    }

    /**
     * A gateway whose identity connector is {@code connector} (no settings), loaded from the
     * connector jars the test put in {@code connectorsDir}, which is watched with the given quiet
     * period. The folder stays the test's: it is not deleted on close.
     */
    static GatewayHarness withConnector(Path connectorsDir, String connector, Duration quietPeriod) {
        String connectors = "  watch: true\n  quietPeriod: " + quietPeriod.toMillis();
        Gateway gateway = new Gateway(new ConfigLoader(Map.of()).fromYaml(
                yaml("it-node", connectorsDir, null, "", "", "connector: " + connector, connectors)));
        gateway.start();
        return new GatewayHarness(gateway, connectorsDir, false);
    }

    /**
     * A gateway with the usual static users and {@code extra} (whole top-level sections such as
     * {@code qos:} or {@code providers:}), following the connector jars and route files the test
     * puts in {@code connectorsDir} with the given quiet period. The folder stays the test's: it is
     * not deleted on close.
     */
    static GatewayHarness watching(Path connectorsDir, Duration quietPeriod, String extra) {
        String connectors = "  watch: true\n  quietPeriod: " + quietPeriod.toMillis();
        Gateway gateway = new Gateway(new ConfigLoader(Map.of()).fromYaml(
                yaml("it-node", connectorsDir, null, "", extra, STATIC_USERS, connectors)));
        gateway.start();
        return new GatewayHarness(gateway, connectorsDir, false);
    }

    Gateway gateway() {
        return gateway;
    }

    int sipPort() {
        return gateway.sipPort();
    }

    URI webSocketUri() {
        return URI.create("ws://127.0.0.1:" + gateway.webSocketPort() + "/ws");
    }

    /** {@code GET /health} of this node. */
    HttpResponse<String> health() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.webSocketPort() + "/health"))
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits, at most {@link #WAIT}, until {@code /health} answers 200. */
    void awaitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> last = health();
        while (last.statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not healthy again within " + WAIT + ": " + last.body());
            }
            last = health();
        }
    }

    /** A new connection, closed with the harness. */
    WsClient connect() {
        WsClient client = WsClient.connect(webSocketUri(), WAIT);
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /** A new connection logged in with {@code token}. */
    WsClient login(String token) {
        WsClient client = connect();
        client.login(token);
        return client;
    }

    @Override
    public void close() {
        synchronized (clients) {
            clients.forEach(WsClient::close);
        }
        gateway.close();
        if (!ownsConnectorsDir) {
            return;
        }
        try (var files = Files.list(connectorsDir)) {
            if (files.findAny().isEmpty()) {
                Files.delete(connectorsDir);
            }
        } catch (IOException e) {
            // A temp folder left behind is harmless; the test result does not depend on it.
        }
    }
}
