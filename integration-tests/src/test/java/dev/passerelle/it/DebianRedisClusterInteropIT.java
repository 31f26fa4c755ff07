package dev.passerelle.it;

import dev.passerelle.peers.DebianRedis;
import java.nio.file.Files;

/**
 * The three-node scenarios of {@link ClusterIT} (cross-node inbound call, web-to-web both ways,
 * resume on another node with events in flight) on Debian's redis-server 7 (package
 * redis-server), what an operator runs in production.
 */
class DebianRedisClusterInteropIT extends ClusterIT {

    @Override
    protected String startRedis() throws Exception {
        DebianRedis started = DebianRedis.start(Files.createTempDirectory("passerelle-redis"));
        ownRedis(started);
        return started.uri();
    }
}
