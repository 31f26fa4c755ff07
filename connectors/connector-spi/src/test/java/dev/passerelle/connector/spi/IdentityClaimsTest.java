package dev.passerelle.connector.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The claims mapping and the settings readers every identity connector shares. */
class IdentityClaimsTest {

    /** A token as a map of claims: text values and pattern lists. */
    private static IdentityClaims.Source token(Map<String, Object> claims) {
        return new IdentityClaims.Source() {
            @Override
            public String text(String claim) {
                return (String) claims.get(claim);
            }

            @SuppressWarnings("unchecked")
            @Override
            public List<String> patterns(String claim) {
                return (List<String>) claims.get(claim);
            }
        };
    }

    @Test
    void defaultsAndOverridesOfTheClaimNames() {
        assertEquals(new IdentityClaims("username", "sip_uri", "name", null, "dial_allow", "dial_deny"),
                IdentityClaims.fromSettings(Map.of(), "identity.x", "username"));
        assertEquals(new IdentityClaims("login", "aor", "name", "pw", "dial_allow", "dial_deny"),
                IdentityClaims.fromSettings(Map.of("claims", Map.of("user", "login", "sipUri", "aor", "sipPassword", "pw")),
                        "identity.x", "username"));
        ConnectorException unknown = assertThrows(ConnectorException.class,
                () -> IdentityClaims.fromSettings(Map.of("claims", Map.of("uid", "x")), "identity.x", "username"));
        assertEquals("identity.x.claims.uid: unknown key", unknown.getMessage());
    }

    @Test
    void aTokenMakesAUserWithTheOperatorsPlanNarrowed() {
        IdentityClaims claims = IdentityClaims.fromSettings(Map.of(), "identity.x", "username");
        DialPlan operator = new DialPlan(List.of("*"), List.of("tel:+339*"));

        Identity alice = claims.identity(token(Map.of("username", "alice", "name", "Alice",
                "dial_allow", List.of("tel:+33*"))), operator, "example.com");

        assertEquals(new Identity("alice", "sip:alice@example.com", "Alice", null,
                new DialPlan(List.of("tel:+33*"), List.of("tel:+339*"))), alice);
        assertEquals("bob", claims.identity(token(Map.of("sub", "bob")), operator, "example.com").user());
    }

    @Test
    void aTokenWithoutAUsableUserOrAorIsRefused() {
        IdentityClaims claims = IdentityClaims.fromSettings(Map.of(), "identity.x", "username");
        assertEquals("token names no user (claims username, sub)", assertThrows(AuthenticationException.class,
                () -> claims.identity(token(Map.of()), DialPlan.ANY, "example.com")).getMessage());
        assertEquals("user claim is not a valid SIP user part", assertThrows(AuthenticationException.class,
                () -> claims.identity(token(Map.of("username", "al ice")), DialPlan.ANY, "example.com")).getMessage());
        assertEquals("claim sip_uri is not a sip: or sips: URI", assertThrows(AuthenticationException.class,
                () -> claims.identity(token(Map.of("username", "alice", "sip_uri", "tel:+331")), DialPlan.ANY,
                        "example.com")).getMessage());
    }

    @Test
    void settingsReadersNameTheKeyAtFault() {
        assertEquals("identity.x.timeout: must be a single value", assertThrows(ConnectorException.class,
                () -> ConnectorSettings.scalar(Map.of("timeout", List.of(1)), "timeout", "identity.x")).getMessage());
        assertEquals("identity.x.dialPlan.deny: every pattern must be a non-empty string, got ' '",
                assertThrows(ConnectorException.class, () -> ConnectorSettings.dialPlan(
                        Map.of("dialPlan", Map.of("deny", List.of(" "))), "identity.x")).getMessage());
        assertEquals(new DialPlan(List.of("*"), List.of("tel:+339*")),
                ConnectorSettings.dialPlan(Map.of("dialPlan", Map.of("deny", List.of("tel:+339*"))), "identity.x"));
        assertEquals(DialPlan.ANY, ConnectorSettings.dialPlan(Map.of(), "identity.x"));
    }
}
