package dev.passerelle.sipstack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderPolicyTest {

    @Test
    void theDefaultIsXHeadersBothWays() {
        assertTrue(HeaderPolicy.DEFAULT.allowsOut("X-Account"));
        assertTrue(HeaderPolicy.DEFAULT.allowsOut("x-account"), "RFC 3261 §7.3.1: names are case-insensitive");
        assertFalse(HeaderPolicy.DEFAULT.allowsOut("X-"), "a prefix alone names no header");
        assertFalse(HeaderPolicy.DEFAULT.allowsOut("Subject"));
        assertTrue(HeaderPolicy.DEFAULT.passesIn("X-Campaign"));
        assertFalse(HeaderPolicy.DEFAULT.passesIn("P-Asserted-Identity"));
    }

    @Test
    void namesAndPrefixesCanBeAllowed() {
        HeaderPolicy p = HeaderPolicy.of(List.of("X-*", "Subject", "Priority"), List.of("X-*", "P-Asserted-Identity"));
        assertTrue(p.allowsOut("subject"));
        assertTrue(p.allowsOut("PRIORITY"));
        assertFalse(p.allowsOut("Subject-X"));
        assertTrue(p.passesIn("p-asserted-identity"));
    }

    @Test
    void identityChargingAndRoutingHeadersCanNeverBeAllowedOut() {
        for (String forged : List.of("P-Asserted-Identity", "P-Preferred-Identity", "P-Charging-Vector", "From",
                "Route", "Via", "Contact", "Authorization", "Identity", "Privacy")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HeaderPolicy.of(List.of(forged), List.of()), forged);
            assertTrue(e.getMessage().startsWith("allow: '" + forged.toLowerCase() + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> HeaderPolicy.of(List.of("P-*"), List.of()),
                "a prefix that covers P-Asserted-Identity is refused too");
    }

    @Test
    void entriesMustBeHeaderNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeaderPolicy.of(List.of(), List.of("X Bad")));
        assertTrue(e.getMessage().startsWith("pass: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HeaderPolicy.of(List.of("*"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> HeaderPolicy.of(List.of("X-Foo:"), List.of()));
    }
}
