package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.sipstack.SipStackSettings;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RFC 3263 for {@code sip.outboundProxy: sip:proxy.test}: SRV records (priorities 10 and 20)
 * from a DNS server on loopback name two proxies; requests go to the first while it answers the
 * OPTIONS keepalive, to the second once it stops, and to the first again once it answers again.
 */
class ProxyFailoverTest {

    /** A proxy that, while {@code answering}, answers OPTIONS 200 and INVITE 486; else it is silent. */
    static final class Proxy implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final LinkedBlockingQueue<SipText> invites = new LinkedBlockingQueue<>();
        volatile boolean answering = true;
        volatile int options;

        Proxy() throws IOException {
            Thread t = new Thread(this::serve, "proxy-" + socket.getLocalPort());
            t.setDaemon(true);
            t.start();
        }

        private void serve() {
            byte[] buf = new byte[65_536];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    SipText m = SipText.parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                    if (!answering || m.method() == null) {
                        continue;
                    }
                    String reply = switch (m.method()) {
                        case "OPTIONS" -> {
                            options++;
                            yield SipTestSupport.response(m, 200, "OK", "o", port(), null);
                        }
                        case "INVITE" -> {
                            invites.add(m);
                            yield SipTestSupport.response(m, 486, "Busy Here", "i", port(), null);
                        }
                        default -> null;
                    };
                    if (reply != null) {
                        byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
                        socket.send(new DatagramPacket(bytes, bytes.length, p.getSocketAddress()));
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void failsOverToTheNextSrvTargetAndBack() throws Exception {
        try (LoopbackDns dns = new LoopbackDns(); Proxy first = new Proxy(); Proxy second = new Proxy()) {
            dns.srv("_sip._udp.proxy.test", 10, 0, first.port(), "p1.proxy.test");
            dns.srv("_sip._udp.proxy.test", 20, 0, second.port(), "p2.proxy.test");
            dns.a("p1.proxy.test", "127.0.0.1");
            dns.a("p2.proxy.test", "127.0.0.1");
            JainSipService service = new JainSipService(config(dns, Duration.ofSeconds(1)));
            RecordingEvents events = new RecordingEvents();
            service.setEvents(events);
            service.start();
            try {
                String a = "127.0.0.1:" + first.port() + "/udp";
                String b = "127.0.0.1:" + second.port() + "/udp";
                assertEquals(List.of(a + " current", b + " standby"), state(service));
                assertTrue(SipTestSupport.until(() -> first.options > 0, WAIT), "keepalive OPTIONS at the first proxy");

                call(service, events, "c1");
                SipText invite = first.invites.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals("<sip:proxy.test;lr>", invite.header("Route"), "the Route stays the configured URI");

                first.answering = false;
                assertTrue(SipTestSupport.until(() -> state(service).equals(
                        List.of(a + " down", b + " current")), WAIT), () -> "failover: " + state(service));
                call(service, events, "c2");
                assertEquals("INVITE", second.invites.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).method());

                first.answering = true;
                assertTrue(SipTestSupport.until(() -> state(service).equals(
                        List.of(a + " current", b + " standby")), WAIT), () -> "back: " + state(service));
                call(service, events, "c3");
                assertEquals("INVITE", first.invites.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).method());
                assertEquals(0, second.invites.size());
            } finally {
                service.stop(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void anInviteTheProxyNeverAnswersMarksItDownWithoutKeepalive() throws Exception {
        try (LoopbackDns dns = new LoopbackDns(); Proxy first = new Proxy(); Proxy second = new Proxy()) {
            dns.srv("_sip._udp.proxy.test", 10, 0, first.port(), "p1.proxy.test");
            dns.srv("_sip._udp.proxy.test", 20, 0, second.port(), "p2.proxy.test");
            dns.a("p1.proxy.test", "127.0.0.1");
            dns.a("p2.proxy.test", "127.0.0.1");
            first.answering = false;
            // T1 of 50 ms: Timer B (64*T1, RFC 3261 §17.1.1.2) fires after 3.2 s.
            JainSipService service = new JainSipService(config(dns, Duration.ZERO),
                    SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).stackName("proxy-timeout").build(),
                    Duration.ofMillis(50));
            RecordingEvents events = new RecordingEvents();
            service.setEvents(events);
            service.start();
            try {
                service.invite(new OutboundInvite("c1", "sip:alice@gw.test", null, "sip:bob@far.example", SDP, Map.of()));
                assertEquals("failed c1 408 Request Timeout", events.next(WAIT));
                String a = "127.0.0.1:" + first.port() + "/udp";
                String b = "127.0.0.1:" + second.port() + "/udp";
                assertEquals(List.of(a + " down", b + " current"), state(service));
                call(service, events, "c2");
                assertEquals("INVITE", second.invites.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).method());
                assertEquals(0, first.options, "no keepalive when sip.outboundProxyKeepalive is 0");
            } finally {
                service.stop(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void naptrRecordsChooseTheTransportThroughJndi() throws Exception {
        try (LoopbackDns dns = new LoopbackDns()) {
            dns.naptr("proxy.test", 10, 20, "s", "SIP+D2U", "_sip._udp.proxy.test");
            dns.naptr("proxy.test", 10, 10, "S", "SIP+D2T", "_sip._tcp.proxy.test");
            dns.naptr("proxy.test", 5, 10, "s", "SIPS+D2T", "_sips._tcp.proxy.test");
            dns.srv("_sip._udp.proxy.test", 10, 0, 5070, "p1.proxy.test");
            dns.srv("_sip._tcp.proxy.test", 10, 0, 5072, "p1.proxy.test");
            dns.srv("_sips._tcp.proxy.test", 10, 0, 5071, "p1.proxy.test");
            dns.a("p1.proxy.test", "127.0.0.1");
            JainSipService service = new JainSipService(config(dns, Duration.ZERO));
            service.setEvents(new RecordingEvents());
            service.start();
            try {
                // Without sip.tls the SIPS service is skipped (RFC 3263 §4.1: transports we support).
                assertEquals(List.of("127.0.0.1:5072/tcp current", "127.0.0.1:5070/udp standby"),
                        state(service));
            } finally {
                service.stop(Duration.ofSeconds(1));
            }
        }
    }

    private static List<String> state(JainSipService service) {
        return service.outboundProxyState().stream()
                .map(a -> a.address() + ":" + a.port() + "/" + a.transport() + " " + a.state()).toList();
    }

    private static GatewayConfig.SipConfig config(LoopbackDns dns, Duration keepalive) {
        return SipTestSupport.config(Optional.of("sip:proxy.test")).withDns(keepalive, List.of(dns.server()));
    }

    private static void call(JainSipService service, RecordingEvents events, String id) throws InterruptedException {
        service.invite(new OutboundInvite(id, "sip:alice@gw.test", null, "sip:bob@far.example", SDP, Map.of()));
        assertEquals("failed " + id + " 486 Busy Here", events.next(WAIT));
    }
}
