package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.session.redis.TestRedis;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the node that holds a live web-to-SIP call. Node A is a real
 * {@code passerelle.jar} process, killed with SIGKILL mid-call; node B is a second node on the
 * same real Redis. Either the browser resumes on node B, which adopts the SIP dialog from the
 * store and re-targets the phone with a re-INVITE carrying its own Contact, so that the phone's
 * BYE reaches node B and ends the call on both legs; or nobody resumes, and node B ends the
 * orphaned leg with a BYE when the resume window closes.
 */
class NodeFailureIT {
    /** Short, so that the unadopted call is ended within the test's patience. */
    private static final Duration RESUME_WINDOW = Duration.ofSeconds(4);

    private TestRedis redis;
    private String prefix;
    private JarProcess nodeA;
    private GatewayHarness nodeB;
    private SipPhone phone;
    private Path connectors;

    @BeforeEach
    void start() throws Exception {
        redis = TestRedis.fromEnvironmentOrEmbedded();
        prefix = "it-failure-" + UUID.randomUUID() + ":";
        connectors = Files.createTempDirectory("passerelle-it-connectors");
        nodeA = JarProcess.start(GatewayHarness.yaml(connectors, null, """
                store:
                  type: redis
                  redis:
                    uri: "%s"
                    prefix: "%s"
                session:
                  resumeWindow: %d
                """.formatted(redis.uri(), prefix, RESUME_WINDOW.toSeconds())).replace("id: it-node", "id: node-a"));
        nodeB = GatewayHarness.clusterNode("node-b", redis.uri(), prefix, RESUME_WINDOW);
        phone = SipPhone.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable part : new AutoCloseable[] {phone, nodeB, nodeA, redis}) {
            if (part != null) {
                part.close();
            }
        }
        Files.deleteIfExists(connectors);
    }

    /** A call alice placed on node A and the phone answered, and what alice needs to resume. */
    private record LiveCall(String callId, String sipCallId, String resumeToken, long lastSeq) {}

    private LiveCall establishedCallOnNodeA(WsClient alice) {
        String resumeToken = alice.login("alice-token").path("resumeToken").asText();
        String callId = alice.callOk("call.invite",
                params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
        PhoneEvent.Request invite = phone.awaitCall(WAIT);
        JsonNode accepted = alice.awaitCallEvent("call.accepted", callId, WAIT);
        phone.awaitRequest("ACK", invite.callId(), WAIT);
        return new LiveCall(callId, invite.callId(), resumeToken, accepted.path("seq").asLong());
    }

    @Test
    void theBrowserResumesOnNodeBWhichAdoptsTheSipDialogAndTheCallEndsCleanly() throws Exception {
        int[] ports = nodeA.awaitReady(WAIT);
        WsClient alice = WsClient.connect(URI.create("ws://127.0.0.1:" + ports[0] + "/ws"), WAIT);
        LiveCall call = establishedCallOnNodeA(alice);

        nodeA.kill();
        alice.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        WsClient back = nodeB.connect();
        back.callOk("session.resume", params().put("resumeToken", call.resumeToken()).put("lastSeq", call.lastSeq()), WAIT);

        // Node B takes the dialog over once node A's heartbeat is old: a re-INVITE, same dialog, new Contact.
        PhoneEvent.Request reInvite = phone.awaitRequest("INVITE", call.sipCallId(), WAIT);
        assertTrue(reInvite.raw().contains(":" + nodeB.sipPort()), "the re-INVITE's Contact is not node B: " + reInvite.raw());
        phone.awaitRequest("ACK", call.sipCallId(), WAIT);

        phone.bye(call.sipCallId());
        PhoneEvent.Response ok = phone.awaitResponse(call.sipCallId(), 200, WAIT);
        assertEquals("BYE", ok.method(), ok.raw());
        JsonNode ended = back.awaitCallEvent("call.ended", call.callId(), WAIT);
        assertEquals("remote", ended.path("by").asText(), ended.toString());
    }

    @Test
    void aCallNobodyResumesIsEndedWithByeByASurvivorWhenTheWindowCloses() throws Exception {
        int[] ports = nodeA.awaitReady(WAIT);
        WsClient alice = WsClient.connect(URI.create("ws://127.0.0.1:" + ports[0] + "/ws"), WAIT);
        LiveCall call = establishedCallOnNodeA(alice);

        nodeA.kill();

        PhoneEvent.Request bye = phone.awaitRequest("BYE", call.sipCallId(), WAIT.plus(RESUME_WINDOW));
        assertTrue(bye.raw().contains(":" + nodeB.sipPort()), "the BYE does not come from node B: " + bye.raw());
        PhoneEvent stray = phone.log().poll(e -> e instanceof PhoneEvent.Request r && r.method().equals("INVITE")
                && r.callId().equals(call.sipCallId()), Duration.ZERO).orElse(null);
        assertEquals(null, stray, "an unadopted call must not be re-INVITEd");
    }
}
