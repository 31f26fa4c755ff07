package dev.passerelle.gateway.session.redis;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.NodeBus;
import io.lettuce.core.Range;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus over Redis: one pub/sub channel per node ({@code P{n:<node>}}, a hash tag of its own so
 * that in a Redis Cluster it is one shard channel name like any other), and the heartbeats in one
 * sorted set ({@code P{nodes}}, score = the last beat in ms). Each beat writes this node's score
 * and reads everybody's, so {@link #lastBeats()} answers from memory.
 *
 * <p>Pub/sub, not a stream: the truth (event logs, call records) is in the store already, so the
 * bus only has to wake the node that holds a socket, fast. A message lost while a subscription is
 * down is made up for by {@link Listener#resubscribed()}.
 */
final class RedisNodeBus implements NodeBus {
    private static final Logger log = LoggerFactory.getLogger(RedisNodeBus.class);

    private final RedisLink redis;
    private final String prefix;
    private final String nodeId;
    private final Duration heartbeat;
    private final Clock clock;
    private final ScheduledExecutorService beats;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Map<String, Instant> lastBeats = Map.of();
    private StatefulRedisPubSubConnection<String, String> subscription;

    RedisNodeBus(RedisLink redis, String prefix, String nodeId, Duration heartbeat, Clock clock) {
        this.redis = redis;
        this.prefix = prefix;
        this.nodeId = nodeId;
        this.heartbeat = heartbeat;
        this.clock = clock;
        this.beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "passerelle-heartbeat-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public void join(Listener listener) {
        subscription = redis.connectPubSub();
        String channel = channel(nodeId);
        subscription.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String payload) {
                if (channel.equals(from)) {
                    listener.message(payload);
                }
            }
        });
        StatefulRedisPubSubConnection<String, String> mine = subscription;
        // Registered after the first connect: every connect heard here is a reconnect.
        redis.addConnectionListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == mine) {
                    log.info("node {}: bus subscription back after a drop; catching up from the store", nodeId);
                    // Lettuce re-subscribes right after this; the catch-up runs once now and once a
                    // beat later, so that a message published before the SUBSCRIBE landed is covered.
                    listener.resubscribed();
                    beats.schedule(listener::resubscribed, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
        redis.await(subscription.async().subscribe(channel));
        beat();
        beats.scheduleWithFixedDelay(this::beat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat() {
        if (closed.get()) {
            return;
        }
        try {
            long now = clock.millis();
            redis.await(redis.commands().zadd(nodesKey(), now, nodeId));
            List<ScoredValue<String>> all = redis.await(redis.commands().zrangebyscoreWithScores(nodesKey(),
                    Range.unbounded()));
            Map<String, Instant> read = new HashMap<>();
            for (ScoredValue<String> v : all) {
                read.put(v.getValue(), Instant.ofEpochMilli((long) v.getScore()));
            }
            lastBeats = Map.copyOf(read);
        } catch (GatewayException e) {
            // The others will see this node go quiet, and this node sees nobody beat: both right.
            log.debug("node {}: heartbeat failed: {}", nodeId, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("node {}: heartbeat failed", nodeId, e);
        }
    }

    @Override
    public CompletionStage<Void> send(String node, String payload) {
        try {
            return redis.commands().publish(channel(node), payload).thenApply(receivers -> (Void) null)
                    .exceptionallyCompose(e -> CompletableFuture.failedFuture(new GatewayException(
                            ErrorCode.SERVICE_UNAVAILABLE, "cannot reach node " + node + ": " + e.getMessage(), e)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(
                    new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "cannot reach node " + node, e));
        }
    }

    @Override
    public Map<String, Instant> lastBeats() {
        return lastBeats;
    }

    @Override
    public void forget(String node) {
        redis.await(redis.commands().zrem(nodesKey(), node));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The heartbeat is left to age out: the sessions this node held wait for a resume
        // elsewhere, and the others end their calls when the window closes, as for a crash.
        beats.shutdownNow();
        if (subscription != null) {
            subscription.close();
        }
    }

    private String channel(String node) {
        return prefix + "{n:" + node + "}";
    }

    private String nodesKey() {
        return prefix + "{nodes}";
    }
}
