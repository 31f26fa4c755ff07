package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.Coturn;
import dev.passerelle.peers.TurnClient;
import dev.passerelle.peers.TurnClient.Allocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code iceServers} of {@code session.login} against a real coturn (Debian package coturn)
 * configured with the same shared secret ({@code use-auth-secret}): the credentials a browser gets
 * allocate a relay, and credentials past their expiry, or signed with another secret, are refused.
 */
class CoturnInteropIT {
    private static final String SECRET = "turn-shared-secret-for-the-test";
    private static final Duration WAIT = Duration.ofSeconds(5);

    private Path dir;
    private Coturn coturn;
    private GatewayHarness gateway;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("passerelle-coturn");
        coturn = Coturn.start(dir, SECRET, "passerelle.test");
        gateway = GatewayHarness.withTurn(coturn.url(), SECRET);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (coturn != null) {
            coturn.close();
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void theCredentialsOfALoginAllocateARelayOnCoturn() throws Exception {
        JsonNode login = gateway.connect().login("alice-token");
        JsonNode server = login.path("iceServers").path(0);
        assertEquals(coturn.url(), server.path("urls").path(0).asText(), login.toString());
        String username = server.path("username").asText();
        assertTrue(username.endsWith(":alice"), "TURN REST API username <expiry>:<user>: " + username);

        try (TurnClient browser = new TurnClient(coturn.address(), WAIT)) {
            Allocation allocation = browser.allocate(username, server.path("credential").asText());
            assertTrue(allocation.succeeded(), "coturn refused the login's credentials: " + allocation + "\n" + coturn.log());
            assertEquals("127.0.0.1", allocation.relayed().getAddress().getHostAddress());
        }
    }

    @Test
    void expiredOrForeignCredentialsAreRefused() {
        String expired = (Instant.now().getEpochSecond() - 60) + ":alice";
        String valid = (Instant.now().getEpochSecond() + 600) + ":alice";
        try (TurnClient browser = new TurnClient(coturn.address(), WAIT)) {
            Allocation late = browser.allocate(expired, hmac(SECRET, expired));
            assertEquals(401, late.errorCode(), "an expired credential must be refused: " + late);
        }
        try (TurnClient browser = new TurnClient(coturn.address(), WAIT)) {
            Allocation forged = browser.allocate(valid, hmac("another-secret", valid));
            assertEquals(401, forged.errorCode(), "a credential signed with another secret must be refused: " + forged);
        }
    }

    /** The TURN REST API password: base64(HMAC-SHA1(secret, username)), as coturn checks it. */
    private static String hmac(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
