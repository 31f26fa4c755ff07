package dev.passerelle.gateway.media.rtpengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RtpengineSettingsTest {

    @Test
    void parsesNgAddressesAsRtpengineWritesThem() {
        assertEquals(new InetSocketAddress("127.0.0.1", 2223), RtpengineSettings.parseAddress("udp:127.0.0.1:2223"));
        assertEquals(new InetSocketAddress("::1", 2223), RtpengineSettings.parseAddress("udp:[::1]:2223"));
        assertEquals(new InetSocketAddress("localhost", 22222), RtpengineSettings.parseAddress("udp:localhost:22222"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:2223              | expected udp:host:port",
        "tcp:127.0.0.1:2223          | only the UDP transport",
        "udp:127.0.0.1               | has no port",
        "udp:2223                    | has no port",
        "udp::2223                   | has no host",
        "udp:127.0.0.1:x             | the port is not a number",
        "udp:127.0.0.1:0             | the port must be 1-65535",
        "udp:127.0.0.1:65536         | the port must be 1-65535",
        "udp:::1:2223                | IPv6 host in brackets",
        "udp:no-such-host.invalid:1  | unknown host no-such-host.invalid",
    })
    void refusesWhatIsNoNgAddressSayingWhy(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RtpengineSettings.parseAddress(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void ofUsesTheDefaultTimings() {
        RtpengineSettings s = RtpengineSettings.of(List.of("udp:127.0.0.1:2223", "udp:127.0.0.1:2224"));
        assertEquals(2, s.ng().size());
        assertEquals(RtpengineSettings.DEFAULT_TRY_TIMEOUT, s.tryTimeout());
        assertEquals(RtpengineSettings.DEFAULT_TRIES, s.tries());
        assertEquals(RtpengineSettings.DEFAULT_DOWN_FOR, s.downFor());
    }

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
}
