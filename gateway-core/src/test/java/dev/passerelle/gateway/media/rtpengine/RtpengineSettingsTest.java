package dev.passerelle.gateway.media.rtpengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RtpengineSettingsTest {

    @Test
    void refusesSettingsThatCannotWork() {
        List<InetSocketAddress> one = List.of(new InetSocketAddress("127.0.0.1", 2223));
        Duration second = Duration.ofSeconds(1);
        assertThrows(IllegalArgumentException.class, () -> new RtpengineSettings(List.of(), second, 1, second));
        assertThrows(IllegalArgumentException.class, () -> new RtpengineSettings(one, Duration.ZERO, 1, second));
        assertThrows(IllegalArgumentException.class, () -> new RtpengineSettings(one, second, 0, second));
        assertThrows(IllegalArgumentException.class, () -> new RtpengineSettings(one, second, 1, second.negated()));
        assertThrows(IllegalArgumentException.class, () -> new RtpengineSettings(
                List.of(InetSocketAddress.createUnresolved("x", 1)), second, 1, second));
    }

    @Test
    void keepsItsOwnCopyOfTheAddresses() {
        List<InetSocketAddress> ng = new ArrayList<>(List.of(new InetSocketAddress("127.0.0.1", 2223)));
        RtpengineSettings s = new RtpengineSettings(ng, Duration.ofSeconds(1), 1, Duration.ZERO);
        ng.clear();
        assertEquals(1, s.ng().size());
    }

    private static RtpengineSettings from(Map<String, Object> settings) {
        return RtpengineSettings.from(new ConnectorContext("media.rtpengine", settings, "example.com"));
    }

    private static void assertRefused(String message, Map<String, Object> settings) {
        assertEquals(message, assertThrows(ConnectorException.class, () -> from(settings)).getMessage());
    }

    @Test
    void settingsFromTheConfigurationWithSeveralAddresses() {
        RtpengineSettings s = from(Map.of("ng", List.of("udp:127.0.0.1:2223", "udp:[::1]:2224", "udp:localhost:2225"),
                "timeout", 700, "tries", 2));
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 2223), new InetSocketAddress("::1", 2224),
                new InetSocketAddress("localhost", 2225)), s.ng());
        assertEquals(Duration.ofMillis(700), s.tryTimeout());
        assertEquals(2, s.tries());
    }

    @Test
    void injectDtmfIsOnUnlessTurnedOffAndOnlyTrueOrFalse() {
        assertEquals(true, from(Map.of("ng", "udp:127.0.0.1:2223")).injectDtmf());
        assertEquals(false, from(Map.of("ng", "udp:127.0.0.1:2223", "injectDtmf", false)).injectDtmf());
        assertEquals(false, from(Map.of("ng", "udp:127.0.0.1:2223", "injectDtmf", "false")).injectDtmf(),
                "as an environment variable gives it");
        assertRefused("media.rtpengine.injectDtmf: 'yes' is not true or false",
                Map.of("ng", "udp:127.0.0.1:2223", "injectDtmf", "yes"));
    }

    @Test
    void dtmfEventsIsOneAddressOrNone() {
        assertEquals(java.util.Optional.empty(), from(Map.of("ng", "udp:127.0.0.1:2223")).dtmfEvents());
        assertEquals(java.util.Optional.of(new InetSocketAddress("127.0.0.1", 2224)),
                from(Map.of("ng", "udp:127.0.0.1:2223", "dtmfEvents", "udp:127.0.0.1:2224")).dtmfEvents());
        assertRefused("media.rtpengine.dtmfEvents: one udp:host:port, not several",
                Map.of("ng", "udp:127.0.0.1:2223", "dtmfEvents", "udp:127.0.0.1:2224,udp:127.0.0.1:2225"));
        assertRefused("media.rtpengine.dtmfEvents: one udp:host:port, not a list",
                Map.of("ng", "udp:127.0.0.1:2223", "dtmfEvents", List.of("udp:127.0.0.1:2224")));
        assertRefused("media.rtpengine.dtmfEvents: 'tcp:127.0.0.1:2224' must look like udp:host:port",
                Map.of("ng", "udp:127.0.0.1:2223", "dtmfEvents", "tcp:127.0.0.1:2224"));
    }

    @Test
    void addressesAsOneCommaSeparatedTextAsAnEnvironmentVariableGivesThem() {
        RtpengineSettings s = from(Map.of("ng", "udp:127.0.0.1:2223, udp:127.0.0.2:2223"));
        assertEquals(2, s.ng().size());
        assertEquals(Duration.ofMillis(500), s.tryTimeout());
        assertEquals(3, s.tries());
    }

    @Test
    void settingsThatCannotWorkNameTheirKey() {
        assertRefused("media.rtpengine.ng: required when media.anchor is rtpengine", Map.of());
        assertRefused("media.rtpengine.ng: 'tcp:127.0.0.1:2223' must look like udp:host:port",
                Map.of("ng", "tcp:127.0.0.1:2223"));
        assertRefused("media.rtpengine.ng: 'udp:127.0.0.1:99999' must look like udp:host:port with a port 1-65535",
                Map.of("ng", "udp:127.0.0.1:99999"));
        assertRefused("media.rtpengine.ng: 'udp:2223' must look like udp:host:port with a port 1-65535",
                Map.of("ng", "udp:2223"));
        assertRefused("media.rtpengine.ng: 'udp:::1:2223': write an IPv6 host in brackets, udp:[::1]:2223",
                Map.of("ng", "udp:::1:2223"));
        assertRefused("media.rtpengine.ng: 'udp::2223' must look like udp:host:port with a port 1-65535",
                Map.of("ng", "udp::2223"));
        assertRefused("media.rtpengine.ng: unknown host no-such-host.invalid",
                Map.of("ng", "udp:no-such-host.invalid:2223"));
        assertRefused("media.rtpengine.timeout: must be between 50 and 30000, was 10",
                Map.of("ng", "udp:127.0.0.1:2223", "timeout", 10));
        assertRefused("media.rtpengine.tries: 'many' is not a whole number",
                Map.of("ng", "udp:127.0.0.1:2223", "tries", "many"));
        assertRefused("media.rtpengine.port: unknown key (docs/configuration.md lists every key)",
                Map.of("ng", "udp:127.0.0.1:2223", "port", 2223));
    }
}
