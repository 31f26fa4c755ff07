package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DTMF as SIP INFO both ways on an established outbound leg, against a raw SIP peer over UDP. */
class JainSipServiceInfoTest {

    private static JainSipService service;
    private static RecordingEvents events;
    private static RawSipPeer peer;

    @BeforeAll
    static void start() throws Exception {
        service = new JainSipService(SipTestSupport.config(Optional.empty()));
        events = new RecordingEvents();
        service.setEvents(events);
        service.start();
        peer = new RawSipPeer(service.port());
    }

    @AfterAll
    static void stop() throws Exception {
        service.stop(Duration.ofSeconds(2));
        peer.close();
    }

    @BeforeEach
    void clean() {
        peer.drain();
        events.events.clear();
    }

    /** An answered outbound call: the INVITE the peer got, with the peer's To tag {@code callee1}. */
    private SipText established(String id) throws Exception {
        service.invite(new OutboundInvite(id, "sip:alice@gw.test", null, "sip:bob@127.0.0.1:" + peer.port(), SDP,
                Map.of()));
        SipText inv = peer.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE");
        peer.send(SipTestSupport.response(inv, 200, "OK", "callee1", peer.port(), SDP2));
        peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK");
        assertEquals("accepted " + id, events.next(WAIT));
        return inv;
    }

    /** An in-dialog request from the peer with a body of {@code contentType} (none when null). */
    private static String fromPeer(SipText inv, String method, int cseq, String contentType, String body) {
        String text = SipTestSupport.request(method, SipText.uriOf(inv.header("Contact")), peer.port(), "UDP",
                inv.callId(), "<sip:bob@127.0.0.1:" + peer.port() + ">;tag=callee1", inv.header("From"), cseq,
                contentType == null ? "" : "Content-Type: " + contentType + "\r\n", null);
        if (body == null) {
            return text;
        }
        return text.replace("Content-Length: 0\r\n\r\n",
                "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
    }

    private static void hangUp(String id) throws Exception {
        service.bye(id);
        SipText bye = peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
        peer.send(SipTestSupport.response(bye, 200, "OK", null, peer.port(), null));
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }

    @Test
    void tonesGoAsOneInfoEachAndTheNextWaitsForTheFinalResponse() throws Exception {
        String id = UUID.randomUUID().toString();
        established(id);
        service.info(id, "1#a", 200);

        SipText first = peer.expect(m -> "INFO".equals(m.method()), WAIT, "INFO 1");
        assertEquals("application/dtmf-relay", first.header("Content-Type"));
        assertEquals("Signal=1\r\nDuration=200\r\n", first.body());
        assertEquals("callee1", SipText.tag(first.header("To")));
        // Unanswered, the INFO is retransmitted (RFC 3261 §17.1.2.2): the next tone has not gone.
        SipText again = peer.expect(m -> "INFO".equals(m.method()), WAIT, "INFO 1 retransmitted");
        assertEquals(first.header("CSeq"), again.header("CSeq"));
        assertEquals(first.body(), again.body());

        peer.send(SipTestSupport.response(first, 200, "OK", null, peer.port(), null));
        SipText second = peer.expect(m -> "INFO".equals(m.method()) && !m.header("CSeq").equals(first.header("CSeq")),
                WAIT, "INFO #");
        assertEquals("Signal=#\r\nDuration=200\r\n", second.body());
        // A refused tone does not stop the others.
        peer.send(SipTestSupport.response(second, 500, "Oops", null, peer.port(), null));
        SipText third = peer.expect(m -> "INFO".equals(m.method()) && !m.header("CSeq").equals(second.header("CSeq")),
                WAIT, "INFO A");
        assertEquals("Signal=A\r\nDuration=200\r\n", third.body());
        assertTrue(cseq(first) < cseq(second) && cseq(second) < cseq(third));
        peer.send(SipTestSupport.response(third, 200, "OK", null, peer.port(), null));
        hangUp(id);
    }

    @Test
    void infoNeedsAnEstablishedLegAndValidTones() throws Exception {
        assertEquals(ErrorCode.CALL_DOES_NOT_EXIST,
                assertThrows(GatewayException.class, () -> service.info("nope", "1", 160)).code());
        String id = UUID.randomUUID().toString();
        service.invite(new OutboundInvite(id, "sip:alice@gw.test", null, "sip:bob@127.0.0.1:" + peer.port(), SDP,
                Map.of()));
        SipText inv = peer.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE");
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(GatewayException.class, () -> service.info(id, "1", 160)).code());
        peer.send(SipTestSupport.response(inv, 200, "OK", "callee1", peer.port(), SDP2));
        assertEquals("accepted " + id, events.next(WAIT));
        assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(GatewayException.class, () -> service.info(id, "1E", 160)).code());
        hangUp(id);
        assertTrue(peer.drain().stream().noneMatch(m -> "INFO".equals(m.method())), "no INFO was sent");
    }

    @Test
    void receivedDtmfBecomesAnEventAndOtherBodiesAre415() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = established(id);

        peer.send(fromPeer(inv, "INFO", 2, "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"));
        peer.expect(m -> m.isResponse(200, "INFO"), WAIT, "200 to INFO");
        assertEquals("dtmf " + id + " 5", events.next(WAIT));

        peer.send(fromPeer(inv, "INFO", 3, "application/dtmf", "#"));
        peer.expect(m -> m.isResponse(200, "INFO"), WAIT, "200 to INFO");
        assertEquals("dtmf " + id + " #", events.next(WAIT));

        peer.send(fromPeer(inv, "INFO", 4, "application/media_control+xml", "<media_control/>"));
        SipText refused = peer.expect(m -> m.isResponse() && "INFO".equals(m.cseqMethod()), WAIT, "415 to INFO");
        assertEquals(415, refused.status());
        List<String> accept = refused.all("Accept");
        assertTrue(String.join(",", accept).contains("application/dtmf-relay"), accept.toString());

        peer.send(fromPeer(inv, "INFO", 5, "application/dtmf-relay", "Duration=160\r\n"));
        assertEquals(400, peer.expect(m -> m.isResponse() && "INFO".equals(m.cseqMethod()), WAIT, "400").status());

        // Without a body, INFO is a keep-alive: 200, and no event.
        peer.send(fromPeer(inv, "INFO", 6, null, null));
        peer.expect(m -> m.isResponse(200, "INFO"), WAIT, "200 to an empty INFO");
        hangUp(id);
        assertNull(events.events.poll(), "no event but the dtmf ones");
    }

    @Test
    void infoOutsideAnyDialogIs481() throws Exception {
        peer.send(SipTestSupport.request("INFO", "sip:gw@127.0.0.1:" + service.port(), peer.port(), "UDP",
                "stray-" + UUID.randomUUID(), "<sip:bob@127.0.0.1>;tag=x1", "<sip:gw@127.0.0.1>;tag=y1", 1,
                "Content-Type: application/dtmf\r\n", null).replace("Content-Length: 0\r\n\r\n", "Content-Length: 1\r\n\r\n1"));
        assertEquals(481, peer.expect(m -> m.isResponse() && "INFO".equals(m.cseqMethod()), WAIT, "481").status());
        assertNull(events.events.poll());
    }

    private static long cseq(SipText m) {
        return Long.parseLong(m.header("CSeq").split(" ")[0]);
    }
}
