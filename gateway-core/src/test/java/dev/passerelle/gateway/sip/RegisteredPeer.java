package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static dev.passerelle.gateway.sip.SipTestSupport.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.passerelle.gateway.config.GatewayConfig;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * A started {@link JainSipService} whose registrar and outbound proxy is one raw peer, with alice
 * registered there: what a request the gateway sends on her behalf needs to be challenged and
 * answered with her credentials.
 */
record RegisteredPeer(JainSipService service, RawSipPeer peer) {
    static final String AOR = "sip:alice@ims.test";
    static final SipRegistration ALICE = new SipRegistration("alice", AOR, "Alice", "alice@ims.test", "pw");

    /**
     * Starts the service reporting to {@code events}, registers alice, and answers her REGISTER
     * 200 with {@code Expires: 600} and {@code extraHeaders} (whole lines; {@code %d} is replaced
     * by the peer's port).
     */
    static RegisteredPeer start(RecordingEvents events, String extraHeaders) throws Exception {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        String peerUri = "sip:127.0.0.1:" + socket.getLocalPort();
        GatewayConfig.SipConfig config = SipTestSupport.config(Optional.empty()).withRouting(Optional.of(peerUri),
                Optional.of(peerUri), Duration.ofSeconds(600), Duration.ofSeconds(30));
        JainSipService service = new JainSipService(config);
        service.setEvents(events);
        service.start();
        RawSipPeer peer = new RawSipPeer(service.port(), socket);
        service.register(ALICE);
        SipText register = peer.expect(m -> "REGISTER".equals(m.method()), WAIT, "REGISTER");
        peer.send(with(SipTestSupport.response(register, 200, "OK", "r1", peer.port(), null),
                "Expires: 600\r\n" + extraHeaders.replace("%d", Integer.toString(peer.port()))));
        assertEquals(RegistrationState.Status.REGISTERED, events.nextRegistration(WAIT).status());
        return new RegisteredPeer(service, peer);
    }
}
