package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A bad configuration stops the real jar at once, with a message an operator can act on. */
class InvalidConfigIT {

    private static void assertRefused(String yaml, String key) throws Exception {
        try (JarProcess jar = JarProcess.start(yaml)) {
            int code = jar.awaitExit(Duration.ofSeconds(60));
            assertEquals(2, code, "a bad " + key + " is a configuration error (exit 2); output: " + jar.output());
            assertTrue(jar.output().stream().anyMatch(l -> l.contains(key)), "no line names " + key + ": " + jar.output());
            assertTrue(jar.output().stream().noneMatch(l -> l.contains("passerelle ready")), "it started anyway: " + jar.output());
        }
    }

    @Test
    void portOutOfRange() throws Exception {
        Path connectors = Files.createTempDirectory("passerelle-it-connectors");
        try {
            assertRefused(GatewayHarness.yaml(connectors).replace("  port: 0\n  domain", "  port: 70000\n  domain"), "sip.port");
        } finally {
            Files.deleteIfExists(connectors);
        }
    }

    @Test
    void unknownKey() throws Exception {
        Path connectors = Files.createTempDirectory("passerelle-it-connectors");
        try {
            assertRefused(GatewayHarness.yaml(connectors).replace("  domain: localhost", "  domain: localhost\n  prot: 5062"), "sip.prot");
        } finally {
            Files.deleteIfExists(connectors);
        }
    }

    @Test
    void turnCredentialLifetimeOutOfRange() throws Exception {
        Path connectors = Files.createTempDirectory("passerelle-it-connectors");
        try {
            assertRefused(GatewayHarness.yaml(connectors, null, "qos:\n  turn:\n    urls: [\"turn:127.0.0.1:3478\"]\n"
                    + "    ttl: 59\n"), "qos.turn.ttl");
        } finally {
            Files.deleteIfExists(connectors);
        }
    }

    @Test
    void mediaAnchorThatIsNoInstalledConnector() throws Exception {
        Path connectors = Files.createTempDirectory("passerelle-it-connectors");
        try {
            assertRefused(GatewayHarness.yaml(connectors, null, "media:\n  anchor: nosuch\n"), "media.anchor");
        } finally {
            Files.deleteIfExists(connectors);
        }
    }
}
