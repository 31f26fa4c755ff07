package dev.passerelle.gateway.session.redis;

import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.session.SessionStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The same contract on a 3-master Redis Cluster: a script whose keys were not in one slot would
 * fail here with CROSSSLOT, and index reads fan out over the three masters.
 */
class RedisClusterSessionStoreTest extends SessionStoreContract {
    private static TestRedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestRedisCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    protected SessionStore newStore() {
        return new RedisSessionStore(RedisSessionStoreTest.settings(cluster.uri()));
    }
}
