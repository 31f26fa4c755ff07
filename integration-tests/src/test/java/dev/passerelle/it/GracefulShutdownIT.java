package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SIGTERM to the real jar during a live call: the call is ended on both sides, then exit 0. */
class GracefulShutdownIT {

    @Test
    void sigtermEndsTheLiveCallAndExitsZero() throws Exception {
        Path connectors = Files.createTempDirectory("passerelle-it-connectors");
        try (SipPhone phone = SipPhone.start();
             JarProcess jar = JarProcess.start(GatewayHarness.yaml(connectors))) {
            int[] ports = jar.awaitReady(Duration.ofSeconds(60));
            try (WsClient alice = WsClient.connect(URI.create("ws://127.0.0.1:" + ports[0] + "/ws"), WAIT)) {
                alice.login("alice-token");
                String callId = alice.callOk("call.invite",
                        params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
                PhoneEvent.Request invite = phone.awaitCall(WAIT);
                alice.awaitCallEvent("call.accepted", callId, WAIT);
                phone.awaitRequest("ACK", invite.callId(), WAIT);

                jar.terminate();

                phone.awaitRequest("BYE", invite.callId(), Duration.ofSeconds(15));
                JsonNode ended = alice.awaitCallEvent("call.ended", callId, Duration.ofSeconds(15));
                assertEquals("gateway", ended.path("by").asText(), ended.toString());
                assertEquals(0, jar.awaitExit(Duration.ofSeconds(30)), "exit code after SIGTERM; output: " + jar.output());
            }
        } finally {
            Files.deleteIfExists(connectors);
        }
    }
}
