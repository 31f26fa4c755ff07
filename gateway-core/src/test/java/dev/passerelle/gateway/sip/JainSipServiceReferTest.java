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
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Blind transfer out: REFER, then the NOTIFYs of its implicit subscription, against a raw SIP sip.peer. */
class JainSipServiceReferTest {

    private static final String CAROL = "sip:carol@10.0.0.9";
    private static final String ALICE = "sip:alice@gw.test";

    @RegisterExtension
    static final SipFixture sip = new SipFixture();

    private static String notify(SipText inv, int cseq, String state, String event, String type, String body) {
        String text = SipTestSupport.request("NOTIFY", SipText.uriOf(inv.header("Contact")), sip.peer.port(), "UDP",
                inv.callId(), "<sip:bob@127.0.0.1:" + sip.peer.port() + ">;tag=callee1", inv.header("From"), cseq,
                "Event: " + event + "\r\nSubscription-State: " + state + "\r\nContent-Type: " + type + "\r\n", null);
        return text.replace("Content-Length: 0\r\n\r\n",
                "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
    }

    private static int answer(String text) throws Exception {
        sip.peer.send(text);
        return sip.peer.expect(m -> m.isResponse() && "NOTIFY".equals(m.cseqMethod()), WAIT, "response to NOTIFY").status();
    }

    private static void hangUp(String id) throws Exception {
        sip.service.bye(id);
        SipText bye = sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
        sip.peer.send(SipTestSupport.response(bye, 200, "OK", null, sip.peer.port(), null));
        assertTrue(SipTestSupport.until(() -> sip.service.legCount() == 0, WAIT));
    }

    @Test
    void referThenNotifiesUpToTheOutcome() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = sip.established(id);
        sip.service.refer(id, CAROL, ALICE);
        SipText refer = sip.peer.expect(m -> "REFER".equals(m.method()), WAIT, "REFER");
        assertEquals("<" + CAROL + ">", refer.header("Refer-To"));
        assertEquals("<" + ALICE + ">", refer.header("Referred-By"));
        assertEquals("callee1", SipText.tag(refer.header("To")));
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(GatewayException.class, () -> sip.service.refer(id, CAROL, ALICE)).code(),
                "one transfer at a time");
        sip.peer.send(SipTestSupport.response(refer, 202, "Accepted", null, sip.peer.port(), null));
        assertEquals("transfer " + id + " " + CAROL + " 202", sip.events.next(WAIT));

        assertEquals(200, answer(notify(inv, 2, "active;expires=60", "refer", "message/sipfrag", "SIP/2.0 100 Trying\r\n")));
        assertEquals("transfer " + id + " " + CAROL + " 100", sip.events.next(WAIT));
        assertEquals(489, answer(notify(inv, 3, "active", "presence", "message/sipfrag", "SIP/2.0 180 Ringing\r\n")));
        assertEquals(400, answer(notify(inv, 4, "active", "refer", "message/sipfrag", "garbage\r\n")));
        assertEquals(415, answer(notify(inv, 5, "active", "refer", "text/plain", "SIP/2.0 180 Ringing\r\n")));
        assertEquals(200, answer(notify(inv, 6, "terminated;reason=noresource", "refer", "message/sipfrag;version=2.0",
                "SIP/2.0 200 OK\r\n")));
        assertEquals("transfer " + id + " " + CAROL + " 200 outcome", sip.events.next(WAIT));
        // The subscription is over: a late NOTIFY matches nothing (RFC 6665 §4.1.3).
        assertEquals(481, answer(notify(inv, 7, "terminated", "refer", "message/sipfrag", "SIP/2.0 200 OK\r\n")));
        assertNull(sip.events.events.poll());

        // The leg is still the application's to end, and a new transfer may start.
        sip.service.refer(id, CAROL, ALICE);
        SipText again = sip.peer.expect(m -> "REFER".equals(m.method()), WAIT, "second REFER");
        sip.peer.send(SipTestSupport.response(again, 603, "Decline", null, sip.peer.port(), null));
        assertEquals("transfer " + id + " " + CAROL + " 603 outcome", sip.events.next(WAIT));
        hangUp(id);
    }

    @Test
    void referNeedsAnEstablishedLegAndAUri() throws Exception {
        assertEquals(ErrorCode.CALL_DOES_NOT_EXIST,
                assertThrows(GatewayException.class, () -> sip.service.refer("nope", CAROL, ALICE)).code());
        String id = UUID.randomUUID().toString();
        sip.established(id);
        assertEquals(ErrorCode.INVALID_PARAMS,
                assertThrows(GatewayException.class, () -> sip.service.refer(id, "not a uri", ALICE)).code());
        hangUp(id);
        assertTrue(sip.peer.drain().stream().noneMatch(m -> "REFER".equals(m.method())));
    }

    private static String referFromPeer(SipText inv, int cseq, String extra) {
        return SipTestSupport.request("REFER", SipText.uriOf(inv.header("Contact")), sip.peer.port(), "UDP",
                inv.callId(), "<sip:bob@127.0.0.1:" + sip.peer.port() + ">;tag=callee1", inv.header("From"), cseq, extra, null);
    }

    private static SipText responseTo(String method) throws Exception {
        return sip.peer.expect(m -> m.isResponse() && method.equals(m.cseqMethod()), WAIT, "response to " + method);
    }

    private static SipText notifyFromGateway(String status) throws Exception {
        SipText n = sip.peer.expect(m -> "NOTIFY".equals(m.method()), WAIT, "NOTIFY " + status);
        // RFC 3515 §2.4.6: the id parameter names the REFER by its CSeq; the RI adds it.
        assertTrue(n.header("Event").matches("refer(;id=\\d+)?"), n.header("Event"));
        assertTrue(n.header("Content-Type").startsWith("message/sipfrag"), n.header("Content-Type"));
        assertTrue(n.body().startsWith("SIP/2.0 " + status + " "), n.body());
        sip.peer.send(SipTestSupport.response(n, 200, "OK", null, sip.peer.port(), null));
        return n;
    }

    @Test
    void referFromThePeerIsAcceptedAndReportedOn() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = sip.established(id);
        sip.peer.send(referFromPeer(inv, 2, "Refer-To: <sip:carol@10.0.0.9?X-Foo=1>\r\nReferred-By: <sip:bob@phones.example>\r\n"));
        assertEquals(202, responseTo("REFER").status());
        SipText trying = notifyFromGateway("100");
        assertTrue(trying.header("Subscription-State").startsWith("active"), trying.header("Subscription-State"));
        assertEquals("referred " + id + " " + CAROL + " sip:bob@phones.example", sip.events.next(WAIT));

        // A second REFER while the first is under way.
        sip.peer.send(referFromPeer(inv, 3, "Refer-To: <sip:dave@10.0.0.9>\r\n"));
        assertEquals(491, responseTo("REFER").status());

        sip.service.notifyReferrer(id, 180, "Ringing");
        assertTrue(notifyFromGateway("180").header("Subscription-State").startsWith("active"));
        sip.service.notifyReferrer(id, 200, "OK");
        assertTrue(notifyFromGateway("200").header("Subscription-State").startsWith("terminated"));
        assertEquals(ErrorCode.BAD_REQUEST,
                assertThrows(GatewayException.class, () -> sip.service.notifyReferrer(id, 200, "OK")).code(),
                "nothing is reported after the final status");
        hangUp(id);
    }

    @Test
    void refersThatCannotBeFollowedAreRefused() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = sip.established(id);
        sip.peer.send(referFromPeer(inv, 2, ""));
        assertEquals(400, responseTo("REFER").status());
        sip.peer.send(referFromPeer(inv, 3, "Refer-To: <mailto:carol@example.com>\r\n"));
        assertEquals(416, responseTo("REFER").status());
        sip.peer.send(referFromPeer(inv, 4, "Refer-To: <sip:carol@10.0.0.9?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n"));
        assertEquals(501, responseTo("REFER").status());
        sip.peer.send(SipTestSupport.request("REFER", "sip:gw@127.0.0.1:" + sip.service.port(), sip.peer.port(), "UDP",
                "stray-" + UUID.randomUUID(), "<sip:bob@127.0.0.1>;tag=x1", "<sip:gw@127.0.0.1>;tag=y1", 1,
                "Refer-To: <sip:carol@10.0.0.9>\r\n", null));
        assertEquals(481, responseTo("REFER").status());
        hangUp(id);
        assertNull(sip.events.events.poll(), "no referred event");
    }
}
