package com.example.passerelle.skeleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Tests a connector the way the gateway meets it: found by ServiceLoader, created from settings. */
class SkeletonConnectorTest {

    private static IdentityConnectorFactory factory() {
        List<IdentityConnectorFactory> found = ServiceLoader.load(IdentityConnectorFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(f -> f.name().equals("skeleton")).toList();
        assertEquals(1, found.size(), "META-INF/services lists the factory once");
        return found.get(0);
    }

    private static IdentityConnector create(Map<String, Object> settings) {
        return factory().create(new ConnectorContext("identity.skeleton", settings, "example.com"));
    }

    @Test
    void isFoundAndBuiltForThisApi() {
        assertEquals(ConnectorApi.VERSION, factory().apiVersion());
    }

    @Test
    void knowsTheUsersOfItsTokens() {
        IdentityConnector connector = create(Map.of("tokens", Map.of("t-1", "ana")));

        assertEquals(new Identity("ana", "sip:ana@example.com", null, null), connector.authenticate("t-1"));
        assertEquals(Optional.of(new Identity("ana", "sip:ana@example.com", null, null)), connector.lookup("ana"));
        assertEquals(Optional.empty(), connector.lookup("bo"));
        assertEquals("unknown token",
                assertThrows(AuthenticationException.class, () -> connector.authenticate("t-2")).getMessage());
    }

    @Test
    void badSettingsNameTheirKey() {
        assertEquals("identity.skeleton.tokens: required, a mapping of token to user name",
                assertThrows(ConnectorException.class, () -> create(Map.of())).getMessage());
        assertEquals("identity.skeleton.colour: unknown key",
                assertThrows(ConnectorException.class, () -> create(Map.of("tokens", Map.of("t", "u"), "colour", "red")))
                        .getMessage());
        Map<String, Object> noUser = new HashMap<>();
        noUser.put("t", null);
        assertEquals("identity.skeleton.tokens.t: a user name is required",
                assertThrows(ConnectorException.class, () -> create(Map.of("tokens", noUser))).getMessage());
    }
}
