package dev.passerelle.gateway.session.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import redis.embedded.RedisShardedCluster;
import redis.embedded.core.RedisShardedClusterBuilder;

/**
 * A real 3-master Redis Cluster for tests, from the embedded-redis jar: three redis-server
 * processes with {@code cluster-enabled yes}, met and given a third of the slots each, on loopback
 * ports below 55535 (a node's cluster bus listens on its port + 10000).
 */
public final class TestRedisCluster implements AutoCloseable {
    private final RedisShardedCluster cluster;
    private final List<Integer> ports;

    private TestRedisCluster(RedisShardedCluster cluster, List<Integer> ports) {
        this.cluster = cluster;
        this.ports = ports;
    }

    public static TestRedisCluster start() {
        List<Integer> ports = freeClusterPorts(3);
        try {
            RedisShardedCluster cluster = new RedisShardedClusterBuilder()
                    .serverPorts(ports)
                    .shard("master-1", 0)
                    .shard("master-2", 0)
                    .shard("master-3", 0)
                    .build();
            cluster.start();
            return new TestRedisCluster(cluster, ports);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Redis Cluster did not start", e);
        }
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}, as RedisStoreSettings takes it. */
    public String uri() {
        return "redis-cluster://" + ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        try {
            cluster.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Integer> freeClusterPorts(int count) {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < count) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            if (!ports.contains(port) && free(port) && free(port + 10_000)) {
                ports.add(port);
            }
        }
        return ports;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
