package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Inbound legs (the gateway as UAS) and out-of-dialog requests, from a raw peer over UDP and TCP. */
class JainSipServiceInboundTest {

    @RegisterExtension
    static final SipFixture sip = new SipFixture();

    @BeforeEach
    void clean() {
        sip.events.invites.clear();
        sip.events.onInvite = i -> { };
    }

    private String gatewayUri(String user) {
        return "sip:" + user + "@127.0.0.1:" + sip.service.port();
    }

    private String invite(String callId, String extra, String sdp) {
        return SipTestSupport.request("INVITE", gatewayUri("web-bob"), sip.peer.port(), "UDP", callId,
                "\"Carol\" <sip:carol@pstn.test>;tag=c1", "<" + gatewayUri("web-bob") + ">", 1, extra, sdp);
    }

    @Test
    void answeredInboundCallIsConfirmedByAckThenPeerHangsUp() throws Exception {
        String sipCallId = UUID.randomUUID().toString();
        sip.peer.send(invite(sipCallId, "X-Account: 42\r\n", SDP));
        sip.peer.expect(m -> m.isResponse(100, "INVITE"), WAIT, "100 Trying");
        InboundInvite in = sip.events.nextInvite(WAIT);
        assertEquals("web-bob", in.requestUser());
        assertEquals("127.0.0.1", in.requestHost());
        assertEquals("sip:carol@pstn.test", in.fromUri());
        assertEquals("Carol", in.fromDisplayName());
        assertEquals(SDP, in.sdp());
        assertEquals("42", in.headers().get("X-Account"));

        sip.service.ringing(in.callId());
        SipText ringing = sip.peer.expect(m -> m.isResponse(180, "INVITE"), WAIT, "180");
        String toTag = SipText.tag(ringing.header("To"));
        assertNotNull(toTag);
        sip.service.answer(in.callId(), SDP2);
        SipText ok = sip.peer.expect(m -> m.isResponse(200, "INVITE"), WAIT, "200");
        assertEquals(toTag, SipText.tag(ok.header("To")));
        assertEquals(SDP2, ok.body());
        assertTrue(ok.header("Contact").contains("127.0.0.1:" + sip.service.port()), ok.header("Contact"));
        // Without ACK the 2xx is retransmitted (RFC 3261 §13.3.1.4), T1 = 500 ms.
        sip.peer.expect(m -> m.isResponse(200, "INVITE"), WAIT, "retransmitted 200");

        String contact = SipText.uriOf(ok.header("Contact"));
        String from = "\"Carol\" <sip:carol@pstn.test>;tag=c1";
        String to = ok.header("To");
        sip.peer.send(SipTestSupport.request("ACK", contact, sip.peer.port(), "UDP", sipCallId, from, to, 1, "", null));
        assertEquals("confirmed " + in.callId(), sip.events.next(WAIT));

        // A session refresh (same SDP) gets the same answer back.
        sip.peer.send(SipTestSupport.request("INVITE", contact, sip.peer.port(), "UDP", sipCallId, from, to, 2, "", SDP));
        SipText refresh = sip.peer.expect(m -> m.isResponse(200, "INVITE") && m.header("CSeq").startsWith("2"),
                WAIT, "200 to the refresh");
        assertEquals(SDP2, refresh.body());
        sip.peer.send(SipTestSupport.request("ACK", contact, sip.peer.port(), "UDP", sipCallId, from, to, 2, "", null));
        // A new offer goes to the application, which refuses it here (RecordingEvents' default).
        sip.peer.send(SipTestSupport.request("INVITE", contact, sip.peer.port(), "UDP", sipCallId, from, to, 3, "",
                SDP.replace("40000", "41000")));
        sip.peer.expect(m -> m.isResponse(488, "INVITE"), WAIT, "488 to a new offer");
        assertEquals("remoteOffer " + in.callId(), sip.events.next(WAIT));

        sip.peer.send(SipTestSupport.request("BYE", contact, sip.peer.port(), "UDP", sipCallId, from, to, 4, "", null));
        sip.peer.expect(m -> m.isResponse(200, "BYE"), WAIT, "200 to BYE");
        assertEquals("remoteBye " + in.callId(), sip.events.next(WAIT));
        assertEquals(0, sip.service.legCount());
    }

    @Test
    void gatewayExceptionBecomesTheFinalStatus() throws Exception {
        sip.events.onInvite = i -> {
            throw new GatewayException(ErrorCode.NOT_FOUND, "no such web user\r\nX-Evil: 1");
        };
        sip.peer.send(invite(UUID.randomUUID().toString(), "", SDP));
        SipText r = sip.peer.expect(m -> m.isResponse(404, "INVITE"), WAIT, "404");
        assertEquals("SIP/2.0 404 no such web user  X-Evil: 1", r.firstLine());
        assertNull(r.header("X-Evil"));
        assertNotNull(SipText.tag(r.header("To")));
        assertEquals(0, sip.service.legCount());
    }

    @Test
    void otherExceptionBecomes500() throws Exception {
        sip.events.onInvite = i -> {
            throw new IllegalStateException("bug");
        };
        sip.peer.send(invite(UUID.randomUUID().toString(), "", SDP));
        sip.peer.expect(m -> m.isResponse(500, "INVITE"), WAIT, "500");
        assertEquals(0, sip.service.legCount());
    }

    @Test
    void rejectByTheApplication() throws Exception {
        sip.events.onInvite = i -> sip.service.reject(i.callId(), 486, "Busy Here");
        sip.peer.send(invite(UUID.randomUUID().toString(), "", SDP));
        sip.peer.expect(m -> m.isResponse(486, "INVITE"), WAIT, "486");
        assertEquals(0, sip.service.legCount());
    }

    @Test
    void cancelOfAPendingInvite() throws Exception {
        String sipCallId = UUID.randomUUID().toString();
        String inviteText = invite(sipCallId, "", SDP);
        sip.peer.send(inviteText);
        InboundInvite in = sip.events.nextInvite(WAIT);
        sip.service.ringing(in.callId());
        sip.peer.expect(m -> m.isResponse(180, "INVITE"), WAIT, "180");
        // RFC 3261 §9.1: the CANCEL repeats the INVITE's Via (same branch), Call-ID, From, To, CSeq number.
        String cancel = inviteText.substring(0, inviteText.indexOf("Max-Forwards"))
                .replace("INVITE sip:", "CANCEL sip:")
                + "Max-Forwards: 70\r\nFrom: \"Carol\" <sip:carol@pstn.test>;tag=c1\r\n"
                + "To: <" + gatewayUri("web-bob") + ">\r\nCall-ID: " + sipCallId + "\r\nCSeq: 1 CANCEL\r\n"
                + "Content-Length: 0\r\n\r\n";
        sip.peer.send(cancel);
        sip.peer.expect(m -> m.isResponse(200, "CANCEL"), WAIT, "200 to CANCEL");
        sip.peer.expect(m -> m.isResponse(487, "INVITE"), WAIT, "487");
        assertEquals("remoteCancel " + in.callId(), sip.events.next(WAIT));
        assertEquals(0, sip.service.legCount());
    }

    @Test
    void requestsOutsideAnyLeg() throws Exception {
        String from = "<sip:carol@pstn.test>;tag=o1";
        String to = "<" + gatewayUri("web-bob") + ">";
        sip.peer.send(SipTestSupport.request("OPTIONS", gatewayUri("web-bob"), sip.peer.port(), "UDP", "o-1", from, to, 1,
                "", null));
        SipText ok = sip.peer.expect(m -> m.isResponse(200, "OPTIONS"), WAIT, "200 to OPTIONS");
        assertTrue(String.join(",", ok.all("Allow")).contains("INVITE"), ok.raw());
        assertEquals("application/sdp", ok.header("Accept"));

        sip.peer.send(SipTestSupport.request("REGISTER", gatewayUri("web-bob"), sip.peer.port(), "UDP", "o-2", from, to, 1,
                "", null));
        SipText notAllowed = sip.peer.expect(m -> m.isResponse(405, "REGISTER"), WAIT, "405");
        assertTrue(String.join(",", notAllowed.all("Allow")).contains("OPTIONS"));

        sip.peer.send(SipTestSupport.request("BYE", gatewayUri("web-bob"), sip.peer.port(), "UDP", "o-3", from,
                to + ";tag=unknown", 1, "", null));
        sip.peer.expect(m -> m.isResponse(481, "BYE"), WAIT, "481");

        sip.peer.send(SipTestSupport.request("OPTIONS", gatewayUri("web-bob"), sip.peer.port(), "UDP", "o-4", from, to, 1,
                "Require: nosuchext\r\n", null));
        SipText ext = sip.peer.expect(m -> m.isResponse(420, "OPTIONS"), WAIT, "420");
        assertEquals("nosuchext", ext.header("Unsupported"));

        sip.peer.send(SipTestSupport.request("INVITE", gatewayUri("web-bob"), sip.peer.port(), "UDP", "o-5", from, to, 1,
                "", SDP).replace("Max-Forwards: 70", "Max-Forwards: 0"));
        sip.peer.expect(m -> m.isResponse(483, "INVITE"), WAIT, "483");

        sip.peer.send(SipTestSupport.request("INVITE", "tel:+331234", sip.peer.port(), "UDP", "o-6", from, to, 1,
                "", SDP));
        sip.peer.expect(m -> m.isResponse(416, "INVITE"), WAIT, "416");
        assertTrue(sip.events.invites.isEmpty());
        assertEquals(0, sip.service.legCount());
    }

    @Test
    void inviteOverTcpAndHangUpFromTheGateway() throws Exception {
        int localPort = sip.peer.connectTcp();
        String sipCallId = UUID.randomUUID().toString();
        String from = "<sip:carol@pstn.test>;tag=t1";
        sip.peer.sendTcp(SipTestSupport.request("INVITE", gatewayUri("web-tcp"), localPort, "TCP", sipCallId, from,
                "<" + gatewayUri("web-tcp") + ">", 1, "", SDP));
        InboundInvite in = sip.events.nextInvite(WAIT);
        sip.service.answer(in.callId(), SDP2);
        SipText ok = sip.peer.expect(m -> m.isResponse(200, "INVITE"), WAIT, "200 over TCP");
        assertTrue(ok.header("Contact").contains("transport=tcp"), ok.header("Contact"));
        String contact = SipText.uriOf(ok.header("Contact"));
        sip.service.bye(in.callId());
        sip.peer.sendTcp(SipTestSupport.request("ACK", contact, localPort, "TCP", sipCallId, from, ok.header("To"), 1,
                "", null));
        assertNull(sip.events.events.poll(200, TimeUnit.MILLISECONDS), "no confirmed event once the app hung up");
        SipText bye = sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE after the ACK");
        sip.peer.sendTcp(SipTestSupport.response(bye, 200, "OK", null, localPort, null));
        assertTrue(SipTestSupport.until(() -> sip.service.legCount() == 0, WAIT));
        assertNull(sip.events.events.poll());
    }
}
