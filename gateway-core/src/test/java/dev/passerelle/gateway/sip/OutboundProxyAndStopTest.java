package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Routing through the outbound proxy (RFC 3261 §8.1.2), then stop() ending every kind of leg. */
class OutboundProxyAndStopTest {

    @Test
    void requestsGoThroughTheProxyAndStopEndsEveryLeg() throws Exception {
        DatagramSocket proxySocket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        String proxyUri = "sip:127.0.0.1:" + proxySocket.getLocalPort();
        JainSipService service = new JainSipService(SipTestSupport.config(Optional.of(proxyUri)));
        RecordingEvents events = new RecordingEvents();
        service.setEvents(events);
        service.start();
        try (RawSipPeer proxy = new RawSipPeer(service.port(), proxySocket)) {
            // A tel: target is routed to the proxy; the Request-URI stays the target.
            service.invite(new OutboundInvite("tel-leg", "sip:alice@gw.test", null, "tel:+33123456789", SDP, Map.of()));
            SipText tel = proxy.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE at the proxy");
            assertEquals("INVITE tel:+33123456789 SIP/2.0", tel.firstLine());
            assertEquals("<" + proxyUri + ";lr>", tel.header("Route"));
            proxy.send(SipTestSupport.response(tel, 180, "Ringing", "p1", proxy.port(), null));
            assertEquals("progress tel-leg 180", events.next(WAIT));

            service.invite(new OutboundInvite("sip-leg", "sip:alice@gw.test", null, "sip:bob@far.example", SDP,
                    Map.of()));
            SipText sip = proxy.expect(m -> "INVITE".equals(m.method()), WAIT, "second INVITE at the proxy");
            assertEquals("INVITE sip:bob@far.example SIP/2.0", sip.firstLine());
            proxy.send(SipTestSupport.response(sip, 200, "OK", "p2", proxy.port(), SDP2));
            proxy.expect(m -> "ACK".equals(m.method()), WAIT, "ACK");
            assertEquals("accepted sip-leg", events.next(WAIT));

            // stop(): CANCEL for the ringing leg, BYE for the established one, then the stack stops.
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> service.stop(WAIT));
            for (int i = 0; i < 2; i++) {
                SipText req = proxy.expect(m -> "CANCEL".equals(m.method()) || "BYE".equals(m.method()), WAIT,
                        "CANCEL and BYE");
                proxy.send(SipTestSupport.response(req, 200, "OK", null, proxy.port(), null));
                if ("CANCEL".equals(req.method())) {
                    proxy.send(SipTestSupport.response(tel, 487, "Request Terminated", "p1", proxy.port(), null));
                }
            }
            stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, service.legCount());
            assertNull(events.events.poll(), "no events for legs the gateway itself ended");
            GatewayException stopped = assertThrows(GatewayException.class, () -> service.bye("sip-leg"));
            assertEquals(ErrorCode.SERVICE_UNAVAILABLE, stopped.code());
            service.stop(Duration.ofSeconds(1));
        }
    }
}
