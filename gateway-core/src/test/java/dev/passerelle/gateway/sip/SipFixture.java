package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A started {@link JainSipService} on a free port with {@link RecordingEvents}, and a raw SIP peer
 * over UDP, shared by the tests of one class ({@code @RegisterExtension static}). Each test starts
 * with the peer's queue and the recorded events empty.
 */
final class SipFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    JainSipService service;
    RecordingEvents events;
    RawSipPeer peer;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        service = new JainSipService(SipTestSupport.config(Optional.empty()));
        events = new RecordingEvents();
        service.setEvents(events);
        service.start();
        peer = new RawSipPeer(service.port());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        service.stop(Duration.ofSeconds(2));
        peer.close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        peer.drain();
        events.events.clear();
    }

    /** An outbound call from alice that the peer answered with To tag {@code callee1}; its INVITE as the peer saw it. */
    SipText established(String id) throws Exception {
        service.invite(new OutboundInvite(id, "sip:alice@gw.test", "Alice", "sip:bob@127.0.0.1:" + peer.port(),
                SDP, Map.of()));
        SipText inv = peer.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE");
        peer.send(SipTestSupport.response(inv, 200, "OK", "callee1", peer.port(), SDP2));
        peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK");
        assertEquals("accepted " + id, events.next(WAIT));
        return inv;
    }
}
