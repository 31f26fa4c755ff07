package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.sipstack.SipStackSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A 2xx that is never ACKed: the gateway sends BYE and reports failed 408 (RFC 3261 §13.3.1.4).
 * The ACK wait is shortened from 64*T1 to 4*T1 through the stack settings.
 */
class NoAckTest {

    @Test
    void missingAckEndsTheCallWithBye() throws Exception {
        JainSipService service = new JainSipService(SipTestSupport.config(Optional.empty()),
                SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).stackName("no-ack")
                        .dialogTimeoutFactor(4).build());
        RecordingEvents events = new RecordingEvents();
        events.onInvite = i -> service.answer(i.callId(), SDP2);
        service.setEvents(events);
        service.start();
        try (RawSipPeer peer = new RawSipPeer(service.port())) {
            String uri = "sip:web@127.0.0.1:" + service.port();
            peer.send(SipTestSupport.request("INVITE", uri, peer.port(), "UDP", UUID.randomUUID().toString(),
                    "<sip:c@127.0.0.1>;tag=n1", "<" + uri + ">", 1, "", SDP));
            String callId = events.nextInvite(WAIT).callId();
            peer.expect(m -> m.isResponse(200, "INVITE"), WAIT, "200");
            SipText bye = peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE after the ACK timeout");
            assertEquals("failed " + callId + " 408 No ACK", events.next(WAIT));
            peer.send(SipTestSupport.response(bye, 200, "OK", null, peer.port(), null));
            assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
        } finally {
            service.stop(Duration.ofSeconds(1));
        }
    }
}
