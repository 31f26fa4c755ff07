package dev.passerelle.connector.staticidentity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;
import java.util.List;
import dev.passerelle.connector.spi.DialPlan;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class StaticIdentityConnectorTest {

    private static IdentityConnector create(Map<String, Object> settings) {
        IdentityConnectorFactory factory = ServiceLoader.load(IdentityConnectorFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("static"))
                .findFirst()
                .orElseThrow();
        assertEquals(ConnectorApi.VERSION, factory.apiVersion());
        return factory.create(new ConnectorContext("identity.static", settings, "example.com"));
    }

    @Test
    void demoUsersWhenNoneConfigured() {
        IdentityConnector c = create(Map.of());
        Identity alice = c.authenticate("alice");
        assertEquals("alice", alice.user());
        assertEquals("sip:alice@example.com", alice.sipUri());
        assertTrue(c.lookup("bob").isPresent());
    }

    @Test
    void configuredUsersReplaceTheDemoUsers() {
        IdentityConnector c = create(Map.of("users", List.of(
                Map.of("user", "carol", "token", "s3cret", "sipUri", "sip:+3312345@ims.example.net",
                        "displayName", "Carol", "sipPassword", "pw"))));
        Identity carol = c.authenticate("s3cret");
        assertEquals("sip:+3312345@ims.example.net", carol.sipUri());
        assertEquals("pw", carol.sipPassword());
        assertThrows(AuthenticationException.class, () -> c.authenticate("alice"));
        assertTrue(c.lookup("alice").isEmpty());
    }

    @Test
    void aUserMayCarryADialPlan() {
        IdentityConnector connector = create(Map.of("users", List.of(
                Map.of("user", "carol", "token", "c", "dialAllow", List.of("tel:+33*"), "dialDeny", List.of("tel:+339*")),
                Map.of("user", "dave", "token", "d"))));

        assertEquals(new DialPlan(List.of("tel:+33*"), List.of("tel:+339*")), connector.authenticate("c").dialPlan());
        assertEquals(DialPlan.ANY, connector.authenticate("d").dialPlan());
        ConnectorException bad = assertThrows(ConnectorException.class, () -> create(Map.of("users", List.of(
                Map.of("user", "erin", "token", "e", "dialDeny", "tel:+339*")))));
        assertEquals("identity.static.users[0].dialDeny: must be a list of destination patterns, e.g. ['tel:+33*']", bad.getMessage());
    }

    @Test
    void unknownOrMissingTokenIsRefused() {
        IdentityConnector c = create(Map.of());
        assertThrows(AuthenticationException.class, () -> c.authenticate("mallory"));
        assertThrows(AuthenticationException.class, () -> c.authenticate(null));
    }

    @Test
    void invalidSettingsNameTheKey() {
        ConnectorException missing = assertThrows(ConnectorException.class,
                () -> create(Map.of("users", List.of(Map.of("user", "dave")))));
        assertEquals("identity.static.users[0].token: required", missing.getMessage());

        ConnectorException twice = assertThrows(ConnectorException.class, () -> create(Map.of("users", List.of(
                Map.of("user", "eve", "token", "a"), Map.of("user", "eve", "token", "b")))));
        assertTrue(twice.getMessage().startsWith("identity.static.users[1].user"), twice.getMessage());

        ConnectorException sameToken = assertThrows(ConnectorException.class, () -> create(Map.of("users", List.of(
                Map.of("user", "f", "token", "t"), Map.of("user", "g", "token", "t")))));
        assertTrue(sameToken.getMessage().startsWith("identity.static.users[1].token"), sameToken.getMessage());

        ConnectorException badUser = assertThrows(ConnectorException.class,
                () -> create(Map.of("users", List.of(Map.of("user", "a b", "token", "t")))));
        assertTrue(badUser.getMessage().startsWith("identity.static.users[0].user"), badUser.getMessage());

        ConnectorException unknown = assertThrows(ConnectorException.class,
                () -> create(Map.of("users", List.of(Map.of("user", "h", "token", "t", "pasword", "x")))));
        assertEquals("identity.static.users[0].pasword: unknown key", unknown.getMessage());
    }
}
