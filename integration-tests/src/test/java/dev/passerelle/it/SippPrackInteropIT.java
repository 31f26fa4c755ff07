package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.Rtpengine;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.WsClient;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 3262 against a SIP implementation that is not ours: SIPp (Debian package {@code
 * sip-tester}) runs {@code sipp/uas-100rel.xml}, a UAS that answers a reliable 183 and sends its
 * 200 only after a PRACK with the right RAck. SIPp exits 0 only when the scenario ran to the end.
 * Its media is plain RTP/AVP, so the call is anchored in rtpengine (Debian package {@code
 * rtpengine-daemon}), as in {@link SippInteropIT}.
 */
class SippPrackInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path workDir;

    private Rtpengine rtpengine;
    private GatewayHarness gateway;
    private Process sipp;

    @BeforeEach
    void start() throws IOException, InterruptedException {
        requireSipp();
        rtpengine = Rtpengine.start(workDir);
        gateway = GatewayHarness.withRtpengine(rtpengine.ngUri());
    }

    @AfterEach
    void stop() {
        if (sipp != null) {
            sipp.destroyForcibly();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (rtpengine != null) {
            rtpengine.close();
        }
    }

    @Test
    void browserCallsAUasThatSendsAReliable183AndWaitsForThePrack() throws Exception {
        Path scenario = workDir.resolve("uas-100rel.xml");
        try (InputStream in = SippPrackInteropIT.class.getResourceAsStream("/sipp/uas-100rel.xml")) {
            Files.copy(in, scenario);
        }
        int port = freeUdpPort();
        sipp = new ProcessBuilder(List.of("sipp", "-sf", scenario.toString(), "-m", "1", "-nostdin",
                "-timeout", "20", "-timeout_error", "-trace_err", "-i", "127.0.0.1", "-p", String.valueOf(port)))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("sipp.out").toFile())
                .start();
        WsClient alice = gateway.login("alice-token");

        String callId = alice.callOk("call.invite", WsClient.params()
                .put("to", "sip:service@127.0.0.1:" + port)
                .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).get("callId").asText();
        JsonNode progress = alice.awaitCallEvent("call.progress", callId, WAIT);
        assertEquals(183, progress.path("code").asInt(), progress.toString());
        alice.awaitCallEvent("call.accepted", callId, WAIT);

        alice.callOk("call.hangup", WsClient.params().put("callId", callId), WAIT);
        alice.awaitCallEvent("call.ended", callId, WAIT);
        if (!sipp.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            fail("SIPp did not finish its scenario; its output:\n" + output());
        }
        assertEquals(0, sipp.exitValue(), "SIPp's scenario failed; its output:\n" + output());
    }

    private String output() throws IOException {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(workDir)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().endsWith(".xml")).toList()) {
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
