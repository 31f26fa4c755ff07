package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static dev.passerelle.gateway.sip.SipTestSupport.cseq;
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
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DTMF as SIP INFO both ways on an established outbound leg, against a raw SIP peer over UDP. */
class JainSipServiceInfoTest {

    @RegisterExtension
    static final SipFixture sip = new SipFixture();

    /** An in-dialog request from the peer with a body of {@code contentType} (none when null). */
    private static String fromPeer(SipText inv, String method, int cseq, String contentType, String body) {
        String text = SipTestSupport.request(method, SipText.uriOf(inv.header("Contact")), sip.peer.port(), "UDP",
                inv.callId(), "<sip:bob@127.0.0.1:" + sip.peer.port() + ">;tag=callee1", inv.header("From"), cseq,
                contentType == null ? "" : "Content-Type: " + contentType + "\r\n", null);
        if (body == null) {
            return text;
        }
        return text.replace("Content-Length: 0\r\n\r\n",
                "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
    }

    private static void hangUp(String id) throws Exception {
        sip.service.bye(id);
        SipText bye = sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
        sip.peer.send(SipTestSupport.response(bye, 200, "OK", null, sip.peer.port(), null));
        assertTrue(SipTestSupport.until(() -> sip.service.legCount() == 0, WAIT));
    }

    @Test
    void tonesGoAsOneInfoEachAndTheNextWaitsForTheFinalResponse() throws Exception {
        String id = UUID.randomUUID().toString();
        sip.established(id);
        sip.service.info(id, "1#a", 200);

        SipText first = sip.peer.expect(m -> "INFO".equals(m.method()), WAIT, "INFO 1");
        assertEquals("application/dtmf-relay", first.header("Content-Type"));
        assertEquals("Signal=1\r\nDuration=200\r\n", first.body());
        assertEquals("callee1", SipText.tag(first.header("To")));
        // Unanswered, the INFO is retransmitted (RFC 3261 §17.1.2.2): the next tone has not gone.
        SipText again = sip.peer.expect(m -> "INFO".equals(m.method()), WAIT, "INFO 1 retransmitted");
        assertEquals(first.header("CSeq"), again.header("CSeq"));
        assertEquals(first.body(), again.body());

        sip.peer.send(SipTestSupport.response(first, 200, "OK", null, sip.peer.port(), null));
        SipText second = sip.peer.expect(m -> "INFO".equals(m.method()) && !m.header("CSeq").equals(first.header("CSeq")),
                WAIT, "INFO #");
        assertEquals("Signal=#\r\nDuration=200\r\n", second.body());
        // A refused tone does not stop the others.
        sip.peer.send(SipTestSupport.response(second, 500, "Oops", null, sip.peer.port(), null));
        SipText third = sip.peer.expect(m -> "INFO".equals(m.method()) && !m.header("CSeq").equals(second.header("CSeq")),
                WAIT, "INFO A");
        assertEquals("Signal=A\r\nDuration=200\r\n", third.body());
        assertTrue(cseq(first) < cseq(second) && cseq(second) < cseq(third));
        sip.peer.send(SipTestSupport.response(third, 200, "OK", null, sip.peer.port(), null));
        hangUp(id);
    }

    @Test
    void infoNeedsAnEstablishedLegAndValidTones() throws Exception {
        assertEquals(ErrorCode.CALL_DOES_NOT_EXIST,
                assertThrows(GatewayException.class, () -> sip.service.info("nope", "1", 160)).code());
        String id = UUID.randomUUID().toString();
        sip.service.invite(new OutboundInvite(id, "sip:alice@gw.test", null, "sip:bob@127.0.0.1:" + sip.peer.port(), SDP,
                Map.of()));
        SipText inv = sip.peer.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE");
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(GatewayException.class, () -> sip.service.info(id, "1", 160)).code());
        sip.peer.send(SipTestSupport.response(inv, 200, "OK", "callee1", sip.peer.port(), SDP2));
        assertEquals("accepted " + id, sip.events.next(WAIT));
        assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(GatewayException.class, () -> sip.service.info(id, "1E", 160)).code());
        hangUp(id);
        assertTrue(sip.peer.drain().stream().noneMatch(m -> "INFO".equals(m.method())), "no INFO was sent");
    }

    @Test
    void receivedDtmfBecomesAnEventAndOtherBodiesAre415() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = sip.established(id);

        sip.peer.send(fromPeer(inv, "INFO", 2, "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"));
        sip.peer.expect(m -> m.isResponse(200, "INFO"), WAIT, "200 to INFO");
        assertEquals("dtmf " + id + " 5", sip.events.next(WAIT));

        sip.peer.send(fromPeer(inv, "INFO", 3, "application/dtmf", "#"));
        sip.peer.expect(m -> m.isResponse(200, "INFO"), WAIT, "200 to INFO");
        assertEquals("dtmf " + id + " #", sip.events.next(WAIT));

        sip.peer.send(fromPeer(inv, "INFO", 4, "application/media_control+xml", "<media_control/>"));
        SipText refused = sip.peer.expect(m -> m.isResponse() && "INFO".equals(m.cseqMethod()), WAIT, "415 to INFO");
        assertEquals(415, refused.status());
        List<String> accept = refused.all("Accept");
        assertTrue(String.join(",", accept).contains("application/dtmf-relay"), accept.toString());

        sip.peer.send(fromPeer(inv, "INFO", 5, "application/dtmf-relay", "Duration=160\r\n"));
        assertEquals(400, sip.peer.expect(m -> m.isResponse() && "INFO".equals(m.cseqMethod()), WAIT, "400").status());

        // Without a body, INFO is a keep-alive: 200, and no event.
        sip.peer.send(fromPeer(inv, "INFO", 6, null, null));
        sip.peer.expect(m -> m.isResponse(200, "INFO"), WAIT, "200 to an empty INFO");
        hangUp(id);
        assertNull(sip.events.events.poll(), "no event but the dtmf ones");
    }

    @Test
    void infoOutsideAnyDialogIs481() throws Exception {
        sip.peer.send(SipTestSupport.request("INFO", "sip:gw@127.0.0.1:" + sip.service.port(), sip.peer.port(), "UDP",
                "stray-" + UUID.randomUUID(), "<sip:bob@127.0.0.1>;tag=x1", "<sip:gw@127.0.0.1>;tag=y1", 1,
                "Content-Type: application/dtmf\r\n", null).replace("Content-Length: 0\r\n\r\n", "Content-Length: 1\r\n\r\n1"));
        assertEquals(481, sip.peer.expect(m -> m.isResponse() && "INFO".equals(m.cseqMethod()), WAIT, "481").status());
        assertNull(sip.events.events.poll());
    }
}
