package dev.passerelle.connector.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DialPlanTest {

    private static final DialPlan NATIONAL = new DialPlan(
            List.of("tel:+33*", "sip:*@pbx.example.com", "bob", "support-*"),
            List.of("tel:+338*", "tel:+339*", "sip:+339*@*"));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "tel:+33123456789, true",
        "tel:+33899123456, false",
        "tel:+33912345678, false",
        "tel:+441234567, false",
        "sip:alice@pbx.example.com, true",
        "SIP:Alice@PBX.example.com, true",
        "sip:+33912345678@pbx.example.com, false",
        "sip:alice@pbx.example.com.evil.net, false",
        "bob, true",
        "bobby, false",
        "support-, true",
        "support-eu, true"
    })
    void denyWinsAndPatternsMatchWhole(String destination, boolean permitted) {
        assertEquals(permitted, NATIONAL.permits(destination));
    }

    @Test
    void aTokenNarrowsTheOperatorsPlanButNeverLiftsItsDeny() {
        DialPlan operator = new DialPlan(List.of("*"), List.of("tel:+339*"));

        DialPlan narrowed = operator.narrowedBy(List.of("tel:+33*", "tel:+339*"), List.of("tel:+331*"));

        assertEquals(new DialPlan(List.of("tel:+33*", "tel:+339*"), List.of("tel:+339*", "tel:+331*")), narrowed);
        assertEquals(false, narrowed.permits("tel:+33912345678"));
        assertEquals(false, narrowed.permits("tel:+33112345678"));
        assertEquals(true, narrowed.permits("tel:+33212345678"));
        assertEquals(operator, operator.narrowedBy(null, null));
    }

    @ParameterizedTest
    @CsvSource({"sip:anything@anywhere", "tel:+1900555", "carol"})
    void anyPermitsEverything(String destination) {
        assertEquals(true, DialPlan.ANY.permits(destination));
    }

    @ParameterizedTest
    @CsvSource({
        "a*b*c, aXXbYYc, true",
        "a*b*c, abc, true",
        "a*b*c, acb, false",
        "*, '', true",
        "a*, a, true",
        "*a, ba, true",
        "*a*a, aaa, true",
        "*a*a, ab, false"
    })
    void starMatchesAnyRun(String pattern, String text, boolean matches) {
        assertEquals(matches, new DialPlan(List.of(pattern), List.of()).permits(text));
    }
}
