package dev.passerelle.gateway.media.rtpengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
}
