package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** 3xx to our INVITE: reported with its Contacts in q order, the leg gone, the call id free again. */
class JainSipServiceRedirectTest {

    @RegisterExtension
    static final SipFixture sip = new SipFixture();

    private static Response parse(String text) throws Exception {
        return new MessageFactoryImpl().createResponse(text);
    }

    private static String redirect(String contacts) {
        return "SIP/2.0 302 Moved Temporarily\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
                + "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n"
                + contacts + "Content-Length: 0\r\n\r\n";
    }

    @Test
    void targetsComeInQOrderWithoutMethodOrHeaders() throws Exception {
        Response r = parse(redirect("Contact: <sip:low@h1>;q=0.1, <sip:first@h2>\r\n"
                + "Contact: <sip:mid@h3;transport=tcp?Subject=x>;q=0.5\r\nContact: <tel:+33123456789>;q=0.7\r\n"
                + "Contact: <mailto:x@y>\r\nContact: <sip:second@h4;method=INVITE>;q=1.0\r\n"));
        assertEquals(List.of("sip:first@h2", "sip:second@h4", "tel:+33123456789", "sip:mid@h3;transport=tcp", "sip:low@h1"),
                ResponseHandler.redirectTargets(r));
        assertEquals(List.of(), ResponseHandler.redirectTargets(parse(redirect(""))));
    }

    @Test
    void redirectIsReportedAndTheCallIdCanInviteAgain() throws Exception {
        String id = UUID.randomUUID().toString();
        String bob = "sip:bob@127.0.0.1:" + sip.peer.port();
        sip.service.invite(new OutboundInvite(id, "sip:alice@gw.test", null, bob, SDP, Map.of()));
        SipText inv = sip.peer.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE");
        String moved = SipTestSupport.response(inv, 302, "Moved Temporarily", "r1", sip.peer.port(), null)
                .replace("Content-Length: 0", "Contact: <sip:carol@127.0.0.1:" + sip.peer.port() + ">;q=0.9\r\n"
                        + "Contact: <sip:dave@127.0.0.1:" + sip.peer.port() + ">\r\nContent-Length: 0");
        sip.peer.send(moved);
        sip.peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK of the 302");
        assertEquals("redirected " + id + " 302 [sip:dave@127.0.0.1:" + sip.peer.port() + ", sip:carol@127.0.0.1:"
                + sip.peer.port() + "]", sip.events.next(WAIT));
        assertTrue(SipTestSupport.until(() -> sip.service.legCount() == 0, WAIT));

        sip.service.invite(new OutboundInvite(id, "sip:alice@gw.test", null, "sip:dave@127.0.0.1:" + sip.peer.port(), SDP, Map.of()));
        SipText again = sip.peer.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE to dave");
        assertEquals("INVITE sip:dave@127.0.0.1:" + sip.peer.port() + " SIP/2.0", again.firstLine());
        sip.peer.send(SipTestSupport.response(again, 486, "Busy Here", "d1", sip.peer.port(), null));
        assertEquals("failed " + id + " 486 Busy Here", sip.events.next(WAIT));

        // A 3xx without a usable Contact is a failure like any other.
        String other = UUID.randomUUID().toString();
        sip.service.invite(new OutboundInvite(other, "sip:alice@gw.test", null, bob, SDP, Map.of()));
        SipText third = sip.peer.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE");
        sip.peer.send(SipTestSupport.response(third, 301, "Moved Permanently", "r3", sip.peer.port(), null));
        assertEquals("failed " + other + " 301 Moved Permanently", sip.events.next(WAIT));
    }
}
