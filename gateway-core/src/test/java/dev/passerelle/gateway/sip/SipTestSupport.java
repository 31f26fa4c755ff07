package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.sipstack.HeaderPolicy;
import dev.passerelle.sipstack.ImsProfile;
import dev.passerelle.sipstack.NumberPlan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Configuration and hand-written SIP text for the gateway's SIP tests. */
final class SipTestSupport {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    static final String SDP2 = SDP.replace("40000", "40002");

    private SipTestSupport() {
    }

    /** Waits until {@code condition} holds, checking every 10 ms; false if {@code timeout} passed first. */
    static boolean until(java.util.function.BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        return true;
    }

    static GatewayConfig.SipConfig config(Optional<String> outboundProxy) {
        return new GatewayConfig.SipConfig("127.0.0.1", 0, "gw.test", outboundProxy, Optional.empty(),
                "Passerelle-test/0.1", 4, 65_536, Duration.ofSeconds(60), Duration.ofSeconds(600),
                Duration.ofSeconds(30), NumberPlan.DEFAULT, HeaderPolicy.DEFAULT, ImsProfile.NONE, Optional.empty(),
                GatewayConfig.SessionTimerConfig.DEFAULT, Duration.ZERO, List.of());
    }

    static String branch() {
        return "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A request from the raw peer to the gateway; {@code extra} is more header lines, each ending CRLF. */
    static String request(String method, String requestUri, int peerPort, String transport, String callId,
            String from, String to, int cseq, String extra, String body) {
        String b = body == null ? "" : body;
        return method + " " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + peerPort + ";branch=" + branch() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + from + "\r\n"
                + "To: " + to + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <sip:peer@127.0.0.1:" + peerPort + ";transport=" + transport.toLowerCase() + ">\r\n"
                + extra
                + (body == null ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: " + b.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + b;
    }

    /** A response of the raw peer to a request the gateway sent. */
    static String response(SipText request, int status, String reason, String toTag, int peerPort, String body) {
        String b = body == null ? "" : body;
        StringBuilder s = new StringBuilder("SIP/2.0 " + status + " " + reason + "\r\n");
        for (String via : request.all("Via")) {
            s.append("Via: ").append(via).append("\r\n");
        }
        String to = request.header("To");
        if (toTag != null && SipText.tag(to) == null) {
            to = to + ";tag=" + toTag;
        }
        s.append("From: ").append(request.header("From")).append("\r\n")
                .append("To: ").append(to).append("\r\n")
                .append("Call-ID: ").append(request.callId()).append("\r\n")
                .append("CSeq: ").append(request.header("CSeq")).append("\r\n");
        if (status > 100 && status < 300) {
            s.append("Contact: <sip:peer@127.0.0.1:").append(peerPort).append(">\r\n");
        }
        if (body != null) {
            s.append("Content-Type: application/sdp\r\n");
        }
        s.append("Content-Length: ").append(b.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n").append(b);
        return s.toString();
    }

    /** {@code message} with {@code extra} (whole header lines) inserted before its Content-Length. */
    static String with(String message, String extra) {
        return message.replaceFirst("Content-Length:", Matcher.quoteReplacement(extra) + "Content-Length:");
    }

    /** The sequence number of the CSeq header of {@code m}. */
    static long cseq(SipText m) {
        return Long.parseLong(m.header("CSeq").trim().split("\\s+")[0]);
    }

    /** A parameter of the Authorization or Proxy-Authorization header of {@code m}; null when absent. */
    static String param(SipText m, String name) {
        String h = m.header("Authorization") != null ? m.header("Authorization") : m.header("Proxy-Authorization");
        Matcher p = Pattern.compile("[\\s,]" + name + "=(\"([^\"]*)\"|([^,\\s]*))").matcher(h);
        return p.find() ? (p.group(2) != null ? p.group(2) : p.group(3)) : null;
    }

    /** The {@link GatewayException} {@code stage} fails with, within {@link #WAIT}. */
    static GatewayException failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        return assertInstanceOf(GatewayException.class, e.getCause());
    }
}
