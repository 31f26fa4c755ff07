package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.Rtpengine;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.WsClient;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passerelle against a SIP implementation that is not ours: SIPp (Debian package
 * {@code sip-tester}) with its built-in scenarios. SIPp exits 0 only when its scenario ran to the
 * end, message by message, so its exit code checks the SIP side as strictly as our own phone does.
 * SIPp speaks plain RTP/AVP whatever it is offered, so the media is anchored in a real rtpengine
 * (Debian package {@code rtpengine-daemon}), as it must be between a browser and such a phone.
 */
class SippInteropIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path workDir;

    private Rtpengine rtpengine;
    private GatewayHarness gateway;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void start() throws IOException, InterruptedException {
        requireSipp();
        rtpengine = Rtpengine.start(workDir);
        gateway = GatewayHarness.withRtpengine(rtpengine.ngUri());
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (gateway != null) {
            gateway.close();
        }
        if (rtpengine != null) {
            rtpengine.close();
        }
    }

    @Test
    void browserCallsSippAndHangsUp() throws Exception {
        int port = freeUdpPort();
        Process sipp = sipp("-sn", "uas", "-i", "127.0.0.1", "-p", String.valueOf(port));
        WsClient alice = gateway.login("alice-token");

        String callId = alice.callOk("call.invite", WsClient.params()
                .put("to", "sip:service@127.0.0.1:" + port)
                .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).get("callId").asText();
        JsonNode accepted = alice.awaitCallEvent("call.accepted", callId, WAIT);
        // SIPp sends its 180 and 200 back to back; a 180 the stack hands over after the 200 is
        // dropped (docs/protocol.md §6), so call.progress is optional, but never after the answer.
        alice.events().stream()
                .filter(e -> e.path("method").asText().equals("call.progress"))
                .forEach(p -> {
                    assertEquals(180, p.path("params").path("code").asInt(), p.toString());
                    assertTrue(p.path("params").path("seq").asLong() < accepted.path("seq").asLong(), p.toString());
                });
        assertTrue(accepted.get("sdp").asText().contains("UDP/TLS/RTP/SAVPF"),
                "SIPp's answer reaches the browser in the WebRTC profile: " + accepted);

        alice.callOk("call.hangup", WsClient.params().put("callId", callId), WAIT);
        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals("local", ended.get("by").asText());
        assertSippSucceeded(sipp);
    }

    @Test
    void sippCallsAliceWhoAnswers() throws Exception {
        WsClient alice = gateway.login("alice-token");
        Process sipp = sipp("-sn", "uac", "-s", "alice", "-i", "127.0.0.1", "-p", String.valueOf(freeUdpPort()),
                "-d", "500", "127.0.0.1:" + gateway.sipPort());

        JsonNode incoming = alice.awaitEvent("call.incoming", p -> true, WAIT);
        String callId = incoming.get("callId").asText();
        alice.callOk("call.answer", WsClient.params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.get("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        alice.awaitCallEvent("call.confirmed", callId, WAIT);
        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals("remote", ended.get("by").asText());
        assertSippSucceeded(sipp);
    }

    private Process sipp(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("sipp", "-m", "1", "-nostdin", "-timeout", "20",
                "-timeout_error", "-trace_err"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("sipp.out").toFile())
                .start();
        processes.add(process);
        return process;
    }

    private void assertSippSucceeded(Process sipp) throws Exception {
        if (!sipp.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            fail("SIPp did not finish its scenario; its output:\n" + output());
        }
        assertEquals(0, sipp.exitValue(), "SIPp's scenario failed; its output:\n" + output());
    }

    private String output() throws IOException {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(workDir)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                out.append("== ").append(f.getFileName()).append('\n')
                        .append(text.length() > 4000 ? text.substring(text.length() - 4000) : text);
            }
        }
        return out.toString();
    }

    private static void requireSipp() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "sipp"))) {
                return;
            }
        }
        fail("sipp is not installed: install the Debian package sip-tester (.ci/install-peers does it)");
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
