package dev.passerelle.gateway.session.redis;

import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.session.SessionStoreContract;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisSessionStoreTest extends SessionStoreContract {
    private static TestRedis redis;

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.fromEnvironmentOrEmbedded();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    /** Settings on the test Redis with a prefix no other test uses. */
    static RedisStoreSettings settings(String uri) {
        return RedisStoreSettings.defaults(uri).withKeyPrefix("test-" + UUID.randomUUID() + ":");
    }

    @Override
    protected SessionStore newStore() {
        return new RedisSessionStore(settings(redis.uri()));
    }
}
