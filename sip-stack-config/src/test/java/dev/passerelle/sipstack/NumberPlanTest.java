package dev.passerelle.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NumberPlanTest {

    private static final NumberPlan FRANCE =
            NumberPlan.of(NumberPlan.Form.SIP, Optional.of("33"), Optional.of("0"));

    @Test
    void globalNumbersLoseTheirVisualSeparators() {
        // RFC 3966 §5.1.1: visual separators carry no meaning.
        assertEquals(Optional.of("+33123456789"), NumberPlan.DEFAULT.global("+33 (1) 23-45.67.89"));
        assertEquals(Optional.of("+12125551212"), NumberPlan.DEFAULT.global(" +1-212-555-1212 "));
    }

    @Test
    void nationalNumbersNeedACountryCode() {
        assertTrue(NumberPlan.DEFAULT.global("0123456789").isEmpty());
        assertEquals(Optional.of("+33123456789"), FRANCE.global("01 23 45 67 89"));
        assertEquals(Optional.of("+33612345678"), FRANCE.global("06.12.34.56.78"));
    }

    @Test
    void whatIsNotANumberIsNotOne() {
        assertTrue(FRANCE.global("alice").isEmpty());
        assertTrue(FRANCE.global("12345").isEmpty(), "digits without the national prefix may be a user name");
        assertTrue(FRANCE.global("0").isEmpty(), "the prefix alone is no number");
        assertTrue(FRANCE.global("+").isEmpty());
        assertTrue(FRANCE.global("+12a4").isEmpty());
        assertTrue(FRANCE.global("+1234567890123456").isEmpty(), "16 digits is longer than E.164 allows");
        assertTrue(FRANCE.global("0123456789012345").isEmpty(), "country code + national number over 15 digits");
    }

    @Test
    void theFormDecidesTheUri() {
        assertEquals("tel:+33123456789", NumberPlan.DEFAULT.uri("+33123456789", "ims.example"));
        // RFC 3261 §19.1.6: a telephone number in a SIP URI says so with user=phone.
        assertEquals("sip:+33123456789@ims.example;user=phone", FRANCE.uri("+33123456789", "IMS.example"));
        assertThrows(IllegalArgumentException.class, () -> FRANCE.uri("0123", "ims.example"));
    }

    @Test
    void badSettingsNameTheirField() {
        IllegalArgumentException cc = assertThrows(IllegalArgumentException.class,
                () -> NumberPlan.of(NumberPlan.Form.TEL, Optional.of("033"), Optional.empty()));
        assertTrue(cc.getMessage().startsWith("countryCode:"), cc.getMessage());
        IllegalArgumentException prefix = assertThrows(IllegalArgumentException.class,
                () -> NumberPlan.of(NumberPlan.Form.TEL, Optional.empty(), Optional.of("0")));
        assertTrue(prefix.getMessage().startsWith("nationalPrefix:"), prefix.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> NumberPlan.of(NumberPlan.Form.TEL, Optional.of("33"), Optional.of("0x")));
    }
}
