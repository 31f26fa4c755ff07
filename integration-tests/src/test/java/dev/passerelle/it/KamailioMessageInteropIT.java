package dev.passerelle.it;

import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.Baresip;
import dev.passerelle.peers.Kamailio;
import dev.passerelle.peers.WsClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web user registered at a real Kamailio sends a chat message to a real baresip through it: the
 * MESSAGE is challenged with 407, answered once with the user's credentials, relayed to baresip,
 * which shows it, and the 200 comes back as {@code message.status delivered}. A user whose
 * credentials Kamailio refuses is challenged a second time and hears {@code failed} 407. Debian
 * packages {@code kamailio} and {@code baresip}; only with {@code -Pinterop}.
 */
class KamailioMessageInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String DOMAIN = "passerelle.test";

    @TempDir
    Path dir;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Kamailio kamailio;
    private Baresip baresip;
    private GatewayHarness gateway;

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void aMessageIsChallengedOnceRelayedToBaresipAndReportedDelivered() throws Exception {
        String template;
        try (InputStream in = KamailioMessageInteropIT.class.getResourceAsStream("/kamailio/kamailio.cfg")) {
            assertNotNull(in, "kamailio/kamailio.cfg is missing from the test resources");
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        kamailio = Kamailio.start(template, dir, DOMAIN, "MD5", Map.of("alice", "alice-pw"));
        closeables.add(kamailio);
        baresip = Baresip.startWithConsole(dir.resolve("baresip"));
        closeables.add(baresip);
        gateway = GatewayHarness.withRegistrar(kamailio.registrarUri(), kamailio.uri(), DOMAIN);
        closeables.add(gateway);
        WsClient alice = gateway.login("alice-token");
        closeables.add(alice);
        assertEquals("registered", alice.awaitEvent("registration.state", p -> true, WAIT).path("state").asText());

        String body = "salut baresip " + System.nanoTime();
        String id = alice.callOk("message.send", params().put("to", baresip.sipUri()).put("body", body), WAIT)
                .path("messageId").asText();
        kamailio.await(l -> l.contains("KAM challenge MESSAGE"), WAIT, "the 407 to the first MESSAGE");
        kamailio.await(l -> l.contains("KAM MESSAGE") && l.contains("pau=[Digest"), WAIT,
                "the MESSAGE with credentials");
        JsonNode status = alice.awaitEvent("message.status", p -> id.equals(p.path("messageId").asText()), WAIT);
        assertEquals("delivered", status.path("status").asText(), status.toString());
        assertEquals(200, status.path("code").asInt(), status.toString());
        assertTrue(awaitLog("\"" + body + "\""), "baresip does not show the message: " + baresip.log());

        // bob's password is not Kamailio's: his answer is challenged again, and that is the outcome.
        WsClient bob = gateway.login("bob-token");
        closeables.add(bob);
        String refused = bob.callOk("message.send", params().put("to", baresip.sipUri()).put("body", "x"), WAIT)
                .path("messageId").asText();
        JsonNode failed = bob.awaitEvent("message.status", p -> refused.equals(p.path("messageId").asText()), WAIT);
        assertEquals("failed", failed.path("status").asText(), failed.toString());
        assertEquals(407, failed.path("code").asInt(), failed.toString());
    }

    /** baresip prints a received message on its console; polled, as its output is a file. */
    private boolean awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (baresip.log().contains(text)) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        return false;
    }
}
