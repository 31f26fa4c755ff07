package dev.passerelle.gateway.sip.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NextHopsTest {

    /** Records as a zone file would hold them, in the JNDI provider's presentation form. */
    private final Map<String, List<String>> zone = new HashMap<>();
    private final Dns dns = (name, type) -> zone.getOrDefault(type + " " + name, List.of());

    private void add(String type, String name, String... records) {
        zone.computeIfAbsent(type + " " + name, k -> new ArrayList<>()).addAll(List.of(records));
    }

    private NextHops hops(Set<String> transports) {
        return new NextHops(dns, false, new Random(7), transports);
    }

    private NextHops hops() {
        return hops(Set.of("udp", "tcp", "tls"));
    }

    @Test
    void anIpLiteralIsTheOnlyAddressOnItsPortOrTheDefault() {
        assertEquals(List.of(new Target("192.0.2.1", 5070, "udp")), hops().resolve("192.0.2.1", 5070, false, null));
        assertEquals(List.of(new Target("192.0.2.1", 5060, "tcp")), hops().resolve("192.0.2.1", -1, false, "TCP"));
        assertEquals(List.of(new Target("::1", 5061, "tls")), hops().resolve("[::1]", -1, true, null));
    }

    @Test
    void aNameWithAPortIsItsAddressRecordsWithoutSrv() {
        add("A", "proxy.test", "192.0.2.1", "192.0.2.2");
        add("AAAA", "proxy.test", "2001:db8::1");
        add("SRV", "_sip._udp.proxy.test", "10 0 5090 other.test.");
        assertEquals(List.of(new Target("192.0.2.1", 5080, "udp"), new Target("192.0.2.2", 5080, "udp"),
                new Target("2001:db8::1", 5080, "udp")), hops().resolve("proxy.test", 5080, false, null));
    }

    @Test
    void naptrChoosesTheTransportsInOrderThenPreferenceAndSrvTheAddresses() {
        add("NAPTR", "proxy.test",
                "20 10 \"s\" \"SIP+D2U\" \"\" _sip._udp.proxy.test.",
                "10 20 \"s\" \"SIP+D2T\" \"\" _sip._tcp.proxy.test.",
                "10 10 \"s\" \"SIPS+D2T\" \"\" _sips._tcp.proxy.test.",
                "5 10 \"s\" \"SIP+D2S\" \"\" _sip._sctp.proxy.test.",
                "5 10 \"u\" \"E2U+sip\" \"!^.*$!sip:x@y!\" .");
        add("SRV", "_sip._udp.proxy.test", "10 0 5060 u.proxy.test.");
        add("SRV", "_sip._tcp.proxy.test", "10 0 5062 t.proxy.test.");
        add("SRV", "_sips._tcp.proxy.test", "10 0 5061 s.proxy.test.");
        add("A", "u.proxy.test", "192.0.2.10");
        add("A", "t.proxy.test", "192.0.2.11");
        add("A", "s.proxy.test", "192.0.2.12");
        assertEquals(List.of(new Target("192.0.2.12", 5061, "tls"), new Target("192.0.2.11", 5062, "tcp"),
                new Target("192.0.2.10", 5060, "udp")), hops().resolve("proxy.test", -1, false, null));
        // Without TLS configured the SIPS service is not usable (RFC 3263 §4.1: transports we support).
        assertEquals(List.of(new Target("192.0.2.11", 5062, "tcp"), new Target("192.0.2.10", 5060, "udp")),
                hops(Set.of("udp", "tcp")).resolve("proxy.test", -1, false, null));
        // A sips: URI keeps the SIPS services only.
        assertEquals(List.of(new Target("192.0.2.12", 5061, "tls")), hops().resolve("proxy.test", -1, true, null));
    }

    @Test
    void withoutNaptrEverySupportedTransportIsAskedForSrv() {
        add("SRV", "_sip._tcp.proxy.test", "10 0 5062 t.proxy.test.");
        add("A", "t.proxy.test", "192.0.2.11");
        add("A", "proxy.test", "192.0.2.99");
        assertEquals(List.of(new Target("192.0.2.11", 5062, "tcp")), hops().resolve("proxy.test", -1, false, null));
    }

    @Test
    void anExplicitTransportAsksOnlyItsSrv() {
        add("SRV", "_sip._udp.proxy.test", "10 0 5070 u.proxy.test.");
        add("SRV", "_sip._tcp.proxy.test", "10 0 5062 t.proxy.test.");
        add("A", "u.proxy.test", "192.0.2.10");
        add("A", "t.proxy.test", "192.0.2.11");
        assertEquals(List.of(new Target("192.0.2.11", 5062, "tcp")), hops().resolve("proxy.test", -1, false, "tcp"));
    }

    @Test
    void withoutSrvTheAddressRecordsOnTheDefaultPort() {
        add("A", "proxy.test", "192.0.2.1");
        assertEquals(List.of(new Target("192.0.2.1", 5060, "udp")), hops().resolve("proxy.test", -1, false, null));
        assertEquals(List.of(new Target("192.0.2.1", 5061, "tls")), hops().resolve("proxy.test", -1, true, null));
        assertEquals(List.of(), hops().resolve("unknown.test", -1, false, null));
    }

    @Test
    void aSrvTargetOfDotMeansNoService() {
        add("SRV", "_sip._udp.proxy.test", "0 0 0 .");
        add("A", "proxy.test", "192.0.2.1");
        // RFC 2782: "." means decidedly unavailable; the A fallback (RFC 3263 §4.2) still applies.
        assertEquals(List.of(new Target("192.0.2.1", 5060, "udp")),
                hops(Set.of("udp")).resolve("proxy.test", -1, false, null));
    }

    @Test
    void srvPrioritiesComeLowestFirstWhateverTheWeights() {
        add("SRV", "_sip._udp.proxy.test", "20 100 5070 b.proxy.test.", "10 1 5060 a.proxy.test.");
        add("A", "a.proxy.test", "192.0.2.1");
        add("A", "b.proxy.test", "192.0.2.2");
        for (int seed = 0; seed < 50; seed++) {
            assertEquals(List.of(new Target("192.0.2.1", 5060, "udp"), new Target("192.0.2.2", 5070, "udp")),
                    new NextHops(dns, false, new Random(seed), Set.of("udp")).resolve("proxy.test", -1, false, null));
        }
    }

    @Test
    void withinAPriorityTheFirstIsDrawnInProportionToItsWeight() {
        NextHops.Srv heavy = new NextHops.Srv(10, 90, 5060, "heavy");
        NextHops.Srv light = new NextHops.Srv(10, 10, 5060, "light");
        NextHops.Srv zero = new NextHops.Srv(10, 0, 5060, "zero");
        NextHops hops = new NextHops(dns, false, new Random(42), Set.of("udp"));
        Map<String, Integer> first = new HashMap<>();
        int rounds = 20_000;
        for (int i = 0; i < rounds; i++) {
            List<NextHops.Srv> ordered = hops.order(List.of(light, zero, heavy));
            assertEquals(3, ordered.size());
            first.merge(ordered.get(0).target(), 1, Integer::sum);
        }
        // Expected shares: 90/101, 10/101 and, for weight 0, only a draw of exactly 0: 1/101.
        assertEquals(0.891, first.get("heavy") / (double) rounds, 0.02);
        assertEquals(0.099, first.get("light") / (double) rounds, 0.02);
        assertEquals(0.0099, first.getOrDefault("zero", 0) / (double) rounds, 0.005);
    }

    @Test
    void onlyZeroWeightsStillYieldsEveryRecord() {
        NextHops.Srv a = new NextHops.Srv(1, 0, 1, "a");
        NextHops.Srv b = new NextHops.Srv(1, 0, 2, "b");
        assertEquals(Set.of(a, b), Set.copyOf(hops().order(List.of(a, b))));
    }

    @Test
    void presentationFormsParse() {
        assertEquals(List.of(new NextHops.Naptr(10, 20, "S", "SIP+D2U", "_sip._udp.example.com")),
                NextHops.parseNaptrs(List.of("10 20 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.")));
        assertEquals(List.of(new NextHops.Srv(1, 2, 5060, "host.example.com")),
                NextHops.parseSrvs(List.of("1 2 5060 host.example.com.")));
    }

    @Test
    void aDnsFailureIsReported() {
        NextHops failing = new NextHops((name, type) -> {
            throw new Dns.DnsException("down", null);
        }, false, new Random(1), Set.of("udp"));
        assertThrows(Dns.DnsException.class, () -> failing.resolve("proxy.test", -1, false, null));
        assertTrue(failing.resolve("192.0.2.1", -1, false, null).size() == 1);
    }
}
