package dev.passerelle.gateway;

import dev.passerelle.gateway.config.ConfigException;
import dev.passerelle.gateway.config.ConfigLoader;
import dev.passerelle.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code java -jar passerelle.jar [--config FILE]}. Prints {@code passerelle ready ws=<port>
 * sip=<port>} once both listeners accept traffic; SIGTERM or SIGINT drains the node and exits 0.
 * Exit codes: 0 after a drain, 2 for an invalid configuration, 1 when the start fails.
 */
@Command(name = "passerelle", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Gateway between WebRTC browsers (JSON-RPC over WebSocket) and SIP networks.")
final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    /** How long a drain waits for the SIP side to finish its BYE and CANCEL transactions. */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(10);

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration (docs/configuration.md). Without it: embedded defaults.")
    private Path config;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        GatewayConfig gatewayConfig;
        Gateway gateway;
        try {
            ConfigLoader loader = new ConfigLoader(System.getenv());
            gatewayConfig = config == null ? loader.defaults() : loader.fromFile(config);
            gateway = new Gateway(gatewayConfig);
        } catch (ConfigException e) {
            System.err.println("passerelle: invalid configuration: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            // A part that reaches out while it is built (the Redis store connects) and gets no answer.
            log.debug("building the node failed", e);
            System.err.println("passerelle: start failed: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        try {
            gateway.start();
        } catch (ConfigException e) {
            System.err.println("passerelle: invalid configuration: " + e.getMessage());
            gateway.close();
            return 2;
        } catch (RuntimeException e) {
            log.error("start failed", e);
            System.err.println("passerelle: start failed: " + e.getMessage());
            gateway.close();
            return 1;
        }
        // The contract's line; "sips=" follows only when TLS is configured, so that scripts reading
        // the first two fields keep working.
        System.out.println("passerelle ready ws=" + gateway.webSocketPort() + " sip=" + gateway.sipPort()
                + (gateway.sipTlsPort() > 0 ? " sips=" + gateway.sipTlsPort() : ""));
        System.out.flush();
        stop.await();
        log.info("draining node {}", gatewayConfig.node().id());
        gateway.drain(DRAIN_GRACE);
        log.info("stopped");
        return 0;
    }

    /** The version of the jar, from its manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"passerelle " + (version == null ? "(development build)" : version)};
        }
    }
}
