package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Outbound legs (the gateway as UAC) against a raw SIP peer over UDP on loopback. */
class JainSipServiceOutboundTest {

    @RegisterExtension
    static final SipFixture sip = new SipFixture();

    private String callee() {
        return "sip:bob@127.0.0.1:" + sip.peer.port();
    }

    private SipText invite(String callId, Map<String, String> headers) throws InterruptedException {
        sip.service.invite(new OutboundInvite(callId, "sip:alice@gw.test", "Alice Web", callee(), SDP, headers));
        return sip.peer.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE");
    }

    @Test
    void answeredCallThenPeerHangsUp() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = invite(id, Map.of("X-Tenant", "acme"));
        assertEquals("INVITE " + callee() + " SIP/2.0", inv.firstLine());
        assertEquals("70", inv.header("Max-Forwards"));
        assertEquals("acme", inv.header("X-Tenant"));
        assertEquals("application/sdp", inv.header("Content-Type"));
        assertTrue(inv.header("From").startsWith("\"Alice Web\" <sip:alice@gw.test>"), inv.header("From"));
        assertNotNull(SipText.tag(inv.header("From")));
        assertNull(SipText.tag(inv.header("To")));
        assertTrue(inv.header("Contact").contains("127.0.0.1:" + sip.service.port()), inv.header("Contact"));
        assertEquals("Passerelle-test/0.1", inv.header("User-Agent"));
        assertNull(inv.header("Route"));
        assertTrue(inv.body().startsWith("v=0"));

        sip.peer.send(SipTestSupport.response(inv, 100, "Trying", null, sip.peer.port(), null));
        sip.peer.send(SipTestSupport.response(inv, 180, "Ringing", "callee1", sip.peer.port(), null));
        assertEquals("progress " + id + " 180", sip.events.next(WAIT));
        sip.peer.send(SipTestSupport.response(inv, 200, "OK", "callee1", sip.peer.port(), SDP2));
        SipText ack = sip.peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK");
        assertEquals("ACK sip:peer@127.0.0.1:" + sip.peer.port() + " SIP/2.0", ack.firstLine());
        assertEquals("callee1", SipText.tag(ack.header("To")));
        assertEquals("accepted " + id, sip.events.next(WAIT));
        assertEquals(SDP2, sip.events.lastSdp);

        // A retransmitted 2xx is ACKed again, without a second event (RFC 3261 §13.2.2.4).
        sip.peer.send(SipTestSupport.response(inv, 200, "OK", "callee1", sip.peer.port(), SDP2));
        sip.peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK for the retransmitted 2xx");

        String gatewayContact = SipText.uriOf(inv.header("Contact"));
        sip.peer.send(SipTestSupport.request("BYE", gatewayContact, sip.peer.port(), "UDP", inv.callId(),
                "<" + callee() + ">;tag=callee1", inv.header("From"), 1, "", null));
        sip.peer.expect(m -> m.isResponse(200, "BYE"), WAIT, "200 to BYE");
        assertEquals("remoteBye " + id, sip.events.next(WAIT));
        assertEquals(0, sip.service.legCount());
        assertThrows(GatewayException.class, () -> sip.service.bye(id));
    }

    @Test
    void busyFailsAndTheStackAcksTheFinalResponse() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = invite(id, Map.of());
        sip.peer.send(SipTestSupport.response(inv, 486, "Busy Here", "busy1", sip.peer.port(), null));
        SipText ack = sip.peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK for 486");
        assertEquals(inv.firstLine().replace("INVITE", "ACK"), ack.firstLine());
        assertEquals("failed " + id + " 486 Busy Here", sip.events.next(WAIT));
        assertEquals(0, sip.service.legCount());
    }

    @Test
    void cancelWhileRingingSendsCancelAndReportsNothing() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = invite(id, Map.of());
        sip.peer.send(SipTestSupport.response(inv, 180, "Ringing", "ring1", sip.peer.port(), null));
        assertEquals("progress " + id + " 180", sip.events.next(WAIT));
        sip.service.cancel(id);
        SipText cancel = sip.peer.expect(m -> "CANCEL".equals(m.method()), WAIT, "CANCEL");
        assertEquals(inv.header("Via"), cancel.header("Via"));
        sip.peer.send(SipTestSupport.response(cancel, 200, "OK", null, sip.peer.port(), null));
        sip.peer.send(SipTestSupport.response(inv, 487, "Request Terminated", "ring1", sip.peer.port(), null));
        sip.peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK for 487");
        awaitNoLegs();
        assertNull(sip.events.events.poll(), "no failed event for the 487 after our CANCEL");
    }

    @Test
    void cancelBeforeAnyProvisionalWaitsForOne() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = invite(id, Map.of());
        sip.service.cancel(id);
        sip.service.cancel(id);
        sip.peer.send(SipTestSupport.response(inv, 180, "Ringing", "late1", sip.peer.port(), null));
        SipText cancel = sip.peer.expect(m -> "CANCEL".equals(m.method()), WAIT, "CANCEL after the 180");
        sip.peer.send(SipTestSupport.response(cancel, 200, "OK", null, sip.peer.port(), null));
        // The callee answered before it saw the CANCEL: the 2xx is ACKed and a BYE ends it.
        sip.peer.send(SipTestSupport.response(inv, 200, "OK", "late1", sip.peer.port(), SDP2));
        sip.peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK");
        SipText bye = sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
        sip.peer.send(SipTestSupport.response(bye, 200, "OK", null, sip.peer.port(), null));
        awaitNoLegs();
        assertNull(sip.events.events.poll(), "no event after the application cancelled");
    }

    @Test
    void byeFromTheGateway() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = invite(id, Map.of());
        sip.peer.send(SipTestSupport.response(inv, 200, "OK", "b1", sip.peer.port(), SDP2));
        sip.peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK");
        assertEquals("accepted " + id, sip.events.next(WAIT));
        sip.service.bye(id);
        sip.service.bye(id);
        SipText bye = sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
        assertEquals("b1", SipText.tag(bye.header("To")));
        sip.peer.send(SipTestSupport.response(bye, 200, "OK", null, sip.peer.port(), null));
        awaitNoLegs();
        assertNull(sip.events.events.poll(), "no event for our own BYE");
    }

    @Test
    void refusedTargetsAndHeaders() {
        GatewayException tel = assertThrows(GatewayException.class, () -> sip.service.invite(new OutboundInvite(
                "t1", "sip:alice@gw.test", null, "tel:+33123456789", SDP, Map.of())));
        assertEquals(ErrorCode.BAD_REQUEST, tel.code());
        assertTrue(tel.getMessage().contains("outboundProxy"), tel.getMessage());
        GatewayException header = assertThrows(GatewayException.class, () -> sip.service.invite(new OutboundInvite(
                "t2", "sip:alice@gw.test", null, callee(), SDP, Map.of("Route", "<sip:evil>"))));
        assertEquals(ErrorCode.INVALID_PARAMS, header.code());
        GatewayException unknown = assertThrows(GatewayException.class, () -> sip.service.cancel("nope"));
        assertEquals(ErrorCode.CALL_DOES_NOT_EXIST, unknown.code());
        assertEquals(0, sip.service.legCount());
    }

    private static void awaitNoLegs() {
        assertTrue(SipTestSupport.until(() -> sip.service.legCount() == 0, WAIT), "legs left: " + sip.service.legCount());
    }
}
