package dev.passerelle.gateway.session.redis;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Lettuce client, its resources and its one multiplexed connection, standalone or Cluster
 * alike; turns every Redis failure into a {@link GatewayException}.
 *
 * <p>On one server, commands issued while the connection is down are rejected at once
 * ({@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS}) instead of being queued until they
 * time out: a store call fails fast with SERVICE_UNAVAILABLE. On a Cluster they are queued, but
 * never longer than the command timeout ({@link TimeoutOptions}). Commands already written when the
 * connection drops are re-sent after the reconnect (Lettuce's at-least-once default), which is why
 * every write of the store is idempotent.
 */
final class RedisLink implements AutoCloseable {
    /** Reconnect attempts start quickly and back off to this, so a restarted Redis is found soon. */
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(2);
    /** How often a Cluster client re-reads the topology even when nothing hinted at a change. */
    private static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(30);

    private final Duration timeout;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final String description;

    RedisLink(RedisStoreSettings settings) {
        this.timeout = settings.commandTimeout();
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
        AbstractRedisClient created = null;
        try {
            if (settings.cluster()) {
                List<RedisURI> seeds = clusterSeeds(settings.uri(), timeout);
                RedisClusterClient cluster = RedisClusterClient.create(resources, seeds);
                created = cluster;
                cluster.setOptions(ClusterClientOptions.builder()
                        .socketOptions(socket)
                        .timeoutOptions(timeouts)
                        // Connections to the masters open lazily, on the first command for
                        // each: REJECT_COMMANDS would refuse that command. Queued commands still
                        // fail within the command timeout.
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                        .topologyRefreshOptions(topologyRefresh())
                        .build());
                StatefulRedisClusterConnection<String, String> c = cluster.connect(StringCodec.UTF8);
                this.connection = c;
                this.commands = c.async();
                this.description = "Redis Cluster " + hosts(seeds);
            } else {
                RedisURI uri = RedisURI.create(settings.uri());
                uri.setTimeout(timeout);
                RedisClient standalone = RedisClient.create(resources, uri);
                created = standalone;
                standalone.setOptions(ClientOptions.builder()
                        .socketOptions(socket)
                        .timeoutOptions(timeouts)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .build());
                StatefulRedisConnection<String, String> c = standalone.connect(StringCodec.UTF8);
                this.connection = c;
                this.commands = c.async();
                this.description = "Redis " + hosts(List.of(uri));
            }
            this.client = created;
        } catch (RuntimeException e) {
            if (created != null) {
                created.shutdown();
            }
            resources.shutdown();
            if (e instanceof RedisException) {
                throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "cannot connect to Redis: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * The topology is re-read periodically, and at once on the signs that it changed: a
     * redirect, a slot nobody serves, an unknown node, repeated reconnects. Lettuce 7.7 marks the
     * adaptive trigger setters deprecated yet offers no other way to enable adaptive refresh.
     */
    @SuppressWarnings("deprecation")
    private static ClusterTopologyRefreshOptions topologyRefresh() {
        return ClusterTopologyRefreshOptions.builder()
                .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                .enableAllAdaptiveRefreshTriggers()
                .build();
    }

    /**
     * The seed URIs of {@code redis-cluster://[userinfo@]h1:p1,h2:p2[/db][?query]}: each seed gets
     * the same user info and tail, and {@code redis} or {@code rediss} as its scheme.
     */
    static List<RedisURI> clusterSeeds(String uri, Duration timeout) {
        String scheme = uri.startsWith("rediss-cluster://") ? "rediss" : "redis";
        String rest = uri.substring(uri.indexOf("://") + 3);
        int at = rest.lastIndexOf('@');
        String userInfo = at < 0 ? "" : rest.substring(0, at + 1);
        String hostsAndTail = rest.substring(at + 1);
        int tailStart = hostsAndTail.length();
        for (char c : new char[] {'/', '?'}) {
            int i = hostsAndTail.indexOf(c);
            if (i >= 0 && i < tailStart) {
                tailStart = i;
            }
        }
        String tail = hostsAndTail.substring(tailStart);
        List<RedisURI> seeds = new ArrayList<>();
        for (String host : hostsAndTail.substring(0, tailStart).split(",")) {
            if (!host.isBlank()) {
                RedisURI seed = RedisURI.create(scheme + "://" + userInfo + host.strip() + tail);
                seed.setTimeout(timeout);
                seeds.add(seed);
            }
        }
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a Redis Cluster URI needs at least one host:port: " + uri);
        }
        return seeds;
    }

    /** host:port of each URI, without credentials, for logs and the health report. */
    private static String hosts(List<RedisURI> uris) {
        return uris.stream().map(u -> u.getHost() + ":" + u.getPort()).toList().toString();
    }

    RedisClusterAsyncCommands<String, String> commands() {
        return commands;
    }

    String description() {
        return description;
    }

    /**
     * A second connection, for subscriptions: a subscribed connection takes no other command.
     * Lettuce re-subscribes its channels by itself after a reconnect.
     */
    StatefulRedisPubSubConnection<String, String> connectPubSub() {
        try {
            return client instanceof RedisClusterClient cluster
                    ? cluster.connectPubSub(StringCodec.UTF8)
                    : ((RedisClient) client).connectPubSub(StringCodec.UTF8);
        } catch (RedisException e) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "cannot connect to Redis: " + e.getMessage(), e);
        }
    }

    /** Hears every connection of this client go up and down. */
    void addConnectionListener(RedisConnectionStateListener listener) {
        client.addListener(listener);
    }

    /** Waits for a command's reply, at most the command timeout (plus a margin Lettuce never needs). */
    <T> T await(RedisFuture<T> future) {
        try {
            return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, description + " did not answer in " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "interrupted while waiting for " + description, e);
        }
    }

    /** Waits for every one of the futures, so that none of a group of writes is left unchecked. */
    void awaitAll(List<? extends RedisFuture<?>> futures) {
        GatewayException first = null;
        for (RedisFuture<?> f : futures) {
            try {
                await(f);
            } catch (GatewayException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Runs a script by its SHA-1, loading it by EVAL where this node does not know it yet. */
    <T> T run(Script script, ScriptOutputType type, String[] keys, String... args) {
        try {
            return await(commands.<T>evalsha(script.sha1(), type, keys, args));
        } catch (GatewayException e) {
            if (e.getCause() instanceof RedisNoScriptException) {
                return await(commands.<T>eval(script.lua(), type, keys, args));
            }
            throw e;
        }
    }

    private GatewayException failure(Throwable cause) {
        if (cause instanceof RedisCommandExecutionException && !transientError(cause.getMessage())) {
            return new GatewayException(ErrorCode.INTERNAL_ERROR, description + " refused a command: " + cause.getMessage(),
                    cause);
        }
        return new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, description + " unavailable: " + cause.getMessage(),
                cause);
    }

    /** Errors Redis gives while it (or its cluster) is not ready yet, as opposed to a bad command. */
    private static boolean transientError(String message) {
        if (message == null) {
            return false;
        }
        for (String prefix : List.of("LOADING", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "BUSY", "READONLY")) {
            if (message.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
        resources.shutdown();
    }

    /** A Lua script and its SHA-1, the name EVALSHA knows it by. */
    record Script(String lua, String sha1) {
        static Script of(String lua) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(lua.getBytes(StandardCharsets.UTF_8));
                return new Script(lua, HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-1", e);
            }
        }
    }
}
