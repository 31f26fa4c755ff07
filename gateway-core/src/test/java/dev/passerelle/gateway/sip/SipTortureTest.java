package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every RFC 4475 torture message, sent byte for byte over UDP to the gateway.
 *
 * <p>The messages name hosts like {@code host5.example.com} in their Via without {@code rport}, so
 * the stack answers to the {@code received} address (127.0.0.1) and the Via port, 5060 by default:
 * the test listens there too. Parse failures are answered by the stack itself to the datagram's
 * source. A Via naming TCP or TLS makes the stack try to open that transport towards 127.0.0.1:5060,
 * which fails: those answers cannot be delivered, and the test only checks that nothing breaks.
 * Responses in the corpus match no transaction and are dropped (stray responses).
 *
 * <p>Many messages reuse branch {@code z9hG4bKkdjuw}. JAIN-SIP matches a server transaction on the
 * branch alone (not on sent-by and method, RFC 3261 §17.2.3), so a request reusing the branch of a
 * live INVITE transaction is absorbed as its retransmission. The test therefore sends the
 * non-INVITE messages first (answered statelessly, no transaction stays), then the INVITEs, ACKing
 * each final response and waiting for its transaction to end before reusing the branch.
 */
class SipTortureTest {

    /** Expected first final status; 0 when no response can reach the test (reason in the comment). */
    private static final Map<String, Integer> EXPECTED = new LinkedHashMap<>();

    static {
        // 3.1.1 valid
        EXPECTED.put("wsinv", 481);      // To tag of an unknown dialog (RFC 3261 §12.2.2)
        EXPECTED.put("intmeth", 0);      // 405, but Via is TCP
        EXPECTED.put("esc01", 480);      // accepted; the test application rejects with 480
        EXPECTED.put("escnull", 405);    // REGISTER not supported
        EXPECTED.put("esc02", 0);        // RE%47IST%45R is an unknown method: 405, Via TCP
        EXPECTED.put("lwsdisp", 200);
        EXPECTED.put("longreq", 0);      // accepted (incomingInvite), Via TCP
        EXPECTED.put("dblreq", 405);     // REGISTER; the trailing INVITE is ignored
        EXPECTED.put("semiuri", 200);
        EXPECTED.put("transports", 200);
        EXPECTED.put("mpart01", 415);    // MESSAGE takes text/* and application/* only; rport: answer to the source
        EXPECTED.put("unreason", 0);     // stray response
        EXPECTED.put("noreason", 0);     // stray response
        // 3.1.2 invalid
        EXPECTED.put("badinv01", 400);   // stack parser
        EXPECTED.put("clerr", 400);      // stack: Content-Length beyond the datagram
        EXPECTED.put("ncl", 400);        // stack
        EXPECTED.put("scalar02", 400);   // stack: CSeq overflow
        EXPECTED.put("scalarlg", 0);     // stray response
        EXPECTED.put("quotbal", 400);    // stack
        EXPECTED.put("ltgtruri", 400);   // stack
        EXPECTED.put("lwsruri", 400);    // stack
        EXPECTED.put("lwsstart", 480);   // tolerated (RFC 4475 allows it)
        EXPECTED.put("trws", 0);         // tolerated: 200, Via TCP
        EXPECTED.put("escruri", 480);    // ?Route= in the Request-URI is ignored, never applied
        EXPECTED.put("baddate", 480);    // Date is not used: ignored
        EXPECTED.put("regbadct", 400);   // StrictMessageParser: '?' outside <> (RFC 3261 §20.10), before 405
        EXPECTED.put("badaspec", 200);   // the stack's parser is liberal here
        EXPECTED.put("baddn", 400);      // StrictMessageParser: display name not *(token LWS)
        EXPECTED.put("badvers", 505);    // StrictMessageParser keeps SIP/7.0; the stack answers 505
        EXPECTED.put("mismatch01", 400); // CSeq method (RequestValidator)
        EXPECTED.put("mismatch02", 400); // CSeq method, before the 405 check
        EXPECTED.put("bigcode", 0);      // response, dropped
        // 3.2 - 3.4
        EXPECTED.put("badbranch", 200);
        EXPECTED.put("insuf", 0);        // refused, unanswerable: no To/From/Call-ID for the stack's 400
        EXPECTED.put("unkscm", 0);       // 416, Via TCP
        EXPECTED.put("novelsc", 0);      // 416, Via TCP
        EXPECTED.put("unksm2", 405);     // REGISTER
        EXPECTED.put("bext01", 0);       // 420, Via TLS
        EXPECTED.put("invut", 415);      // RFC 3261 §8.2.3
        EXPECTED.put("regaut01", 0);     // REGISTER 405, Via TCP
        EXPECTED.put("multi01", 400);    // StrictMessageParser: more than one CSeq (RFC 3261 §7.3.1)
        EXPECTED.put("mcl01", 400);      // StrictMessageParser: more than one Content-Length
        EXPECTED.put("bcast", 0);        // stray response, never forwarded
        EXPECTED.put("zeromf", 200);     // OPTIONS with Max-Forwards 0 is answered (RFC 4475 §3.3.11)
        EXPECTED.put("cparam01", 405);
        EXPECTED.put("cparam02", 405);
        EXPECTED.put("regescrt", 405);
        EXPECTED.put("sdp01", 406);      // Accept excludes application/sdp
        EXPECTED.put("inv2543", 400);    // StrictMessageParser: no Max-Forwards (RFC 3261 §8.1.1.6)
    }

    private static final Pattern BRANCH = Pattern.compile("branch\\s*=\\s*([^;,\\s]+)", Pattern.CASE_INSENSITIVE);

    private static JainSipService service;
    private static RecordingEvents events;
    private static RawSipPeer sender;
    private static RawSipPeer via5060;

    @BeforeAll
    static void start() throws Exception {
        service = new JainSipService(SipTestSupport.config(Optional.empty()));
        events = new RecordingEvents();
        events.onInvite = i -> service.reject(i.callId(), 480, "Torture");
        service.setEvents(events);
        service.start();
        sender = new RawSipPeer(service.port());
        try {
            via5060 = new RawSipPeer(service.port(),
                    new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5060)));
        } catch (IOException busy) {
            via5060 = null;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        service.stop(Duration.ofSeconds(2));
        sender.close();
        if (via5060 != null) {
            via5060.close();
        }
    }

    @Test
    void everyTortureMessageGetsItsAnswerAndTheGatewayKeepsWorking() throws Exception {
        List<String> names;
        try (InputStream in = SipTortureTest.class.getResourceAsStream("/sip-torture/index.tsv")) {
            names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1)
                    .map(l -> l.split("\t")[0]).toList();
        }
        assertEquals(49, names.size());
        assertEquals(EXPECTED.keySet(), new java.util.HashSet<>(names));

        List<String> ordered = new ArrayList<>(names);
        ordered.sort(Comparator.comparing((String n) -> isInvite(read(n)))
                .thenComparing(n -> n.equals("longreq")));
        List<String> mismatches = new ArrayList<>();
        for (String name : ordered) {
            byte[] bytes = read(name);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            Matcher branch = BRANCH.matcher(text);
            if (isInvite(bytes) && branch.find()) {
                String b = branch.group(1);
                assertTrue(SipTestSupport.until(() -> !service.serverTransactionLive(b), Duration.ofSeconds(40)),
                        "transaction " + b + " never ended");
            }
            int outcome = send(name, bytes, SipText.parse(text).callId());
            System.out.println("torture " + name + " -> " + (outcome == 0 ? "no response" : outcome));
            if (outcome != EXPECTED.get(name) && !(outcome == 0 && via5060 == null)) {
                mismatches.add(name + ": expected " + EXPECTED.get(name) + ", got " + outcome);
            }
        }
        assertEquals(List.of(), mismatches);
        assertEquals(0, service.listenerFailures());
        stillWorks();
    }

    /** Sends one message; the first final status with its Call-ID, or 0 if none comes. */
    private static int send(String name, byte[] bytes, String callId) throws Exception {
        sender.drain();
        if (via5060 != null) {
            via5060.drain();
        }
        sender.send(bytes);
        Duration wait = EXPECTED.get(name) == 0 ? Duration.ofMillis(400) : WAIT;
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (RawSipPeer p : via5060 == null ? List.of(sender) : List.of(sender, via5060)) {
                SipText m = p.poll(x -> x.isResponse() && x.status() >= 200 && sameCallId(x, callId),
                        Duration.ofMillis(20));
                if (m != null) {
                    if ("INVITE".equals(m.cseqMethod())) {
                        ack(m);
                    }
                    return m.status();
                }
            }
        }
        return 0;
    }

    /** ACK for a non-2xx final response, so that the INVITE transaction ends (RFC 3261 §17.1.1.3). */
    private static void ack(SipText response) throws IOException {
        String cseq = response.header("CSeq").trim().split("\\s+")[0];
        sender.send("ACK sip:user@example.com SIP/2.0\r\n"
                + "Via: " + response.all("Via").get(0) + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + response.header("From") + "\r\n"
                + "To: " + response.header("To") + "\r\n"
                + "Call-ID: " + response.callId() + "\r\n"
                + "CSeq: " + cseq + " ACK\r\n"
                + "Content-Length: 0\r\n\r\n");
    }

    private void stillWorks() throws Exception {
        String optionsId = UUID.randomUUID().toString();
        String uri = "sip:after@127.0.0.1:" + service.port();
        String from = "<sip:a@127.0.0.1>;tag=after";
        sender.send(SipTestSupport.request("OPTIONS", uri, sender.port(), "UDP", optionsId, from, "<" + uri + ">",
                1, "", null));
        sender.expect(m -> m.isResponse(200, "OPTIONS") && optionsId.equals(m.callId()), WAIT, "200 OPTIONS");

        events.invites.clear();
        events.onInvite = i -> service.answer(i.callId(), SDP2);
        String inviteId = UUID.randomUUID().toString();
        sender.send(SipTestSupport.request("INVITE", uri, sender.port(), "UDP", inviteId, from, "<" + uri + ">",
                1, "", SDP));
        SipText ok = sender.expect(m -> m.isResponse(200, "INVITE") && inviteId.equals(m.callId()), WAIT, "200");
        String contact = SipText.uriOf(ok.header("Contact"));
        sender.send(SipTestSupport.request("ACK", contact, sender.port(), "UDP", inviteId, from, ok.header("To"),
                1, "", null));
        String callId = events.nextInvite(WAIT).callId();
        assertTrue(SipTestSupport.until(() -> events.events.contains("confirmed " + callId), WAIT));
        sender.send(SipTestSupport.request("BYE", contact, sender.port(), "UDP", inviteId, from, ok.header("To"),
                2, "", null));
        sender.expect(m -> m.isResponse(200, "BYE") && inviteId.equals(m.callId()), WAIT, "200 BYE");
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }

    private static boolean sameCallId(SipText m, String callId) {
        return callId != null && m.callId() != null && callId.trim().equals(m.callId().trim());
    }

    private static boolean isInvite(byte[] bytes) {
        return new String(bytes, 0, 7, StandardCharsets.ISO_8859_1).equals("INVITE ");
    }

    private static byte[] read(String name) {
        try (InputStream in = SipTortureTest.class.getResourceAsStream("/sip-torture/" + name + ".sip")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(name, e);
        }
    }
}
