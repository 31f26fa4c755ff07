package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.peers.Dnsmasq;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 3263 through a real DNS server: {@code sip.outboundProxy: sip:proxy.test} has a NAPTR
 * record (SIP+D2U) whose SRV records name two phones acting as proxies, priorities 10 and 20
 * (dnsmasq). Calls reach the first; once it is gone the OPTIONS keepalive fails over and the next
 * call reaches the second.
 */
class ProxyFailoverInteropIT {

    @TempDir
    Path dir;

    @Test
    void theKeepaliveFailsOverToTheNextSrvTarget() throws Exception {
        try (SipPhone first = SipPhone.start(SipPhone.Transport.UDP);
                SipPhone second = SipPhone.start(SipPhone.Transport.UDP);
                Dnsmasq dns = Dnsmasq.start(dir, "proxy.test", List.of(
                        "--naptr-record=proxy.test,10,10,S,SIP+D2U,,_sip._udp.proxy.test",
                        "--srv-host=_sip._udp.proxy.test,p1.proxy.test," + first.port() + ",10,0",
                        "--srv-host=_sip._udp.proxy.test,p2.proxy.test," + second.port() + ",20,0",
                        "--host-record=p1.proxy.test,127.0.0.1",
                        "--host-record=p2.proxy.test,127.0.0.1"), "p1.proxy.test");
                GatewayHarness gateway = GatewayHarness.withSip("sip:proxy.test",
                        "  outboundProxyKeepalive: 1\n  dns:\n    servers: \"" + dns.server() + "\"\n");
                WsClient alice = gateway.login("alice-token")) {
            first.awaitRequest("OPTIONS", WAIT);
            PhoneEvent.Request reached = call(alice, first);
            assertTrue(reached.raw().contains("Route: <sip:proxy.test;lr>"), reached.raw());

            first.close();
            // The keepalive probes only the address in use: OPTIONS at the second means it is now.
            second.awaitRequest("OPTIONS", WAIT);
            call(alice, second);
            String queries = dns.log();
            assertTrue(queries.contains("NAPTR") && queries.contains("_sip._udp.proxy.test"), queries);
        }
    }

    private static PhoneEvent.Request call(WsClient alice, SipPhone proxy) {
        String callId = alice.callOk("call.invite", params().put("to", "sip:bob@far.example")
                .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
        PhoneEvent.Request invite = proxy.awaitCall(WAIT);
        assertEquals("INVITE sip:bob@far.example SIP/2.0", invite.raw().lines().findFirst().orElseThrow());
        alice.awaitCallEvent("call.accepted", callId, WAIT);
        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        proxy.awaitRequest("BYE", invite.callId(), WAIT);
        return invite;
    }
}
