package dev.passerelle.gateway.session.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A real Redis for tests: the one {@code REDIS_URL} names when it is set (so CI or the interop
 * profile can point the tests at Debian's redis-server), otherwise a redis-server that this class
 * starts from the embedded-redis jar on a free loopback port and stops on {@link #close()}.
 *
 * <p>Public and in the gateway-core test-jar so that integration-tests can start the same Redis.
 * Tests share a Redis without flushing it: each store gets its own key prefix.
 */
public final class TestRedis implements AutoCloseable {
    private final String uri;
    private final RedisServer server;
    private final int port;

    private TestRedis(String uri, RedisServer server, int port) {
        this.uri = uri;
        this.server = server;
        this.port = port;
    }

    /** {@code REDIS_URL} when set, else a fresh embedded server. */
    public static TestRedis fromEnvironmentOrEmbedded() {
        String url = System.getenv("REDIS_URL");
        if (url != null && !url.isBlank()) {
            return new TestRedis(url, null, -1);
        }
        return embedded();
    }

    /** Always an embedded server of its own, for tests that stop and restart it. */
    public static TestRedis embedded() {
        int port = freePort();
        RedisServer server = newServer(port, null);
        start(server);
        return new TestRedis("redis://127.0.0.1:" + port, server, port);
    }

    /**
     * An embedded server of its own that keeps its data across {@link #restart()}, as a production
     * Redis does: an append-only file in {@code dir}, written on every command.
     */
    public static TestRedis embeddedPersistent(Path dir) {
        int port = freePort();
        RedisServer server = newServer(port, dir);
        start(server);
        return new TestRedis("redis://127.0.0.1:" + port, server, port);
    }

    public String uri() {
        return uri;
    }

    /** Stops the embedded server, keeping its port for {@link #restart()}. */
    public void stop() {
        requireEmbedded();
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the embedded server again on the same port (empty, unless it was made persistent). */
    public void restart() {
        requireEmbedded();
        start(server);
    }

    @Override
    public void close() {
        if (server != null && server.isActive()) {
            stop();
        }
    }

    private void requireEmbedded() {
        if (server == null) {
            throw new IllegalStateException("REDIS_URL names a Redis this test does not own: " + uri);
        }
    }

    private static RedisServer newServer(int port, Path dir) {
        try {
            var builder = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"");
            if (dir == null) {
                builder.setting("appendonly no");
            } else {
                builder.setting("appendonly yes").setting("appendfsync always").setting("dir " + dir.toAbsolutePath());
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded redis-server", e);
        }
    }

    private static void start(RedisServer server) {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded redis-server did not start", e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
