package dev.passerelle.sipstack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImsProfileTest {

    @Test
    void trustIsByAddress() {
        ImsProfile p = new ImsProfile(ImsProfile.Identity.ASSERTED, Optional.of("IEEE-802.11"), true,
                Optional.of("ims.example"), Set.of("2001:DB8::1", "10.0.0.5"));
        assertTrue(p.trusts("2001:db8:0:0:0:0:0:1"), "IPv6 compared as addresses, not as text");
        assertTrue(p.trusts("[2001:db8::1]"));
        assertTrue(p.trusts("10.0.0.5"));
        assertFalse(p.trusts("pcscf.ims.example"));
        assertFalse(p.trusts("10.0.0.6"));
        assertFalse(p.trusts(null));
        assertFalse(ImsProfile.NONE.trusts("127.0.0.1"));
    }

    @Test
    void badValuesNameTheirField() {
        IllegalArgumentException pani = assertThrows(IllegalArgumentException.class, () -> new ImsProfile(
                ImsProfile.Identity.NONE, Optional.of("3GPP-E-UTRAN\r\nVia: x"), false, Optional.empty(), Set.of()));
        assertTrue(pani.getMessage().startsWith("accessNetworkInfo:"), pani.getMessage());
        IllegalArgumentException ioi = assertThrows(IllegalArgumentException.class, () -> new ImsProfile(
                ImsProfile.Identity.NONE, Optional.empty(), false, Optional.of("ims.example"), Set.of()));
        assertTrue(ioi.getMessage().startsWith("origIoi:"), ioi.getMessage());
        IllegalArgumentException host = assertThrows(IllegalArgumentException.class, () -> new ImsProfile(
                ImsProfile.Identity.NONE, Optional.empty(), false, Optional.empty(), Set.of("pcscf.ims.example")));
        assertTrue(host.getMessage().startsWith("trusted:"), host.getMessage());
    }
}
