package dev.passerelle.sipstack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImsProfileTest {

    @Test
    void trustIsByHostCaseInsensitively() {
        ImsProfile p = new ImsProfile(ImsProfile.Identity.ASSERTED, Optional.of("IEEE-802.11"), true,
                Optional.of("ims.example"), Set.of("PCSCF.ims.example", "10.0.0.5"));
        assertTrue(p.trusts("pcscf.ims.example"));
        assertTrue(p.trusts("10.0.0.5"));
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
                ImsProfile.Identity.NONE, Optional.empty(), false, Optional.empty(), Set.of("a b")));
        assertTrue(host.getMessage().startsWith("trusted:"), host.getMessage());
    }
}
