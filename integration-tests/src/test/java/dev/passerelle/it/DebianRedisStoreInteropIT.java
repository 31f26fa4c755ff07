package dev.passerelle.it;

import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.session.SessionStoreContract;
import dev.passerelle.gateway.session.redis.RedisSessionStore;
import dev.passerelle.gateway.session.redis.RedisStoreSettings;
import dev.passerelle.peers.DebianRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The session store contract, the one the memory store and the embedded Redis pass, on Debian's
 * redis-server 7 (package redis-server): what an operator runs in production.
 */
class DebianRedisStoreInteropIT extends SessionStoreContract {

    private static Path dir;
    private static DebianRedis redis;

    @BeforeAll
    static void startRedis() throws IOException {
        dir = Files.createTempDirectory("passerelle-redis");
        redis = DebianRedis.start(dir);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected SessionStore newStore() {
        return new RedisSessionStore(RedisStoreSettings.defaults(redis.uri())
                .withKeyPrefix("it-" + UUID.randomUUID() + ":"));
    }
}
