package dev.passerelle.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SipStackSettingsTest {

    @Test
    void defaultsAreValidAndDialogSupportIsOff() {
        SipStackSettings s = SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).build();
        assertEquals("passerelle", s.stackName());
        assertFalse(s.automaticDialogSupport());
        assertTrue(s.ipAddress().isEmpty());
        assertEquals(64, s.dialogTimeoutFactor());
        assertEquals(SipStackSettings.Profile.DEFAULT, s.profile());
    }

    @Test
    void tcpProfileKeepsConnectionsLonger() {
        SipStackSettings tcp = SipStackSettings.builder(SipStackSettings.Profile.TCP).build();
        SipStackSettings def = SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).build();
        assertTrue(tcp.reliableConnectionKeepAliveTimeout().compareTo(def.reliableConnectionKeepAliveTimeout()) > 0);
    }

    @Test
    void threadPoolSizeOutOfRangeNamesTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).threadPoolSize(0).build());
        assertEquals("threadPoolSize must be 1..1024, was 0", e.getMessage());
    }

    @Test
    void maxMessageSizeTooSmall() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).maxMessageSize(100).build());
        assertEquals("maxMessageSize must be 4096..16777216, was 100", e.getMessage());
    }

    @Test
    void badStackName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).stackName("a b").build());
        assertEquals("stackName must be 1..64 of [A-Za-z0-9._-], was \"a b\"", e.getMessage());
    }

    @Test
    void blankIpAddress() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).ipAddress(" ").build());
        assertEquals("ipAddress must not be blank when set", e.getMessage());
    }

    @Test
    void negativeKeepAlive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipStackSettings.builder(SipStackSettings.Profile.DEFAULT)
                        .reliableConnectionKeepAliveTimeout(Duration.ofSeconds(-1)).build());
        assertTrue(e.getMessage().startsWith("reliableConnectionKeepAliveTimeout must be"), e.getMessage());
    }

    @Test
    void earlyDialogTimeoutTooShortAndNullLogLevel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipStackSettings.builder(SipStackSettings.Profile.DEFAULT)
                        .earlyDialogTimeout(Duration.ZERO).build());
        assertTrue(e.getMessage().startsWith("earlyDialogTimeout must be"), e.getMessage());
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class,
                () -> SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).logLevel(null).build());
        assertEquals("logLevel must be set, was null", l.getMessage());
    }

    @Test
    void dialogTimeoutFactorRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).dialogTimeoutFactor(0).build());
        assertEquals("dialogTimeoutFactor must be 1..1024, was 0", e.getMessage());
    }
}
