package dev.passerelle.connector.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.IceServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {

    /** 2024-01-01T00:00:00Z. */
    private static final Clock NEW_YEAR = Clock.fixed(Instant.ofEpochSecond(1_704_067_200L), ZoneOffset.UTC);

    private static final List<String> URLS = List.of("turn:turn.example.com:3478?transport=udp",
            "turns:turn.example.com:5349?transport=tcp");

    private static TurnQosConnector turn(Map<String, Object> settings) {
        return new TurnQosConnector(TurnSettings.from(new ConnectorContext("qos.turn", settings, "example.com")), NEW_YEAR);
    }

    @Test
    void credentialIsTheTurnRestApiHmac() {
        // Expected credential computed outside Java, so a wrong algorithm or encoding shows:
        // printf '%s' '1704153600:alice' | openssl dgst -sha1 -hmac secret -binary | base64
        assertEquals(List.of(new IceServer(URLS, "1704153600:alice", "8NMZvQR97loLy4Fxv10RHtt8Zyg=")),
                turn(Map.of("urls", URLS, "secret", "secret")).iceServers("alice"));
    }

    @Test
    void expiryFollowsTheClockAndTtl() {
        // printf '%s' '1704070800:bob' | openssl dgst -sha1 -hmac north-wind -binary | base64
        assertEquals(List.of(new IceServer(URLS, "1704070800:bob", "naI4W4Vk4Go9n8g4r3okoNtwuwU=")),
                turn(Map.of("urls", URLS, "secret", "north-wind", "ttl", 3600)).iceServers("bob"));
    }

    @Test
    void urlsMayComeAsOneCommaSeparatedText() {
        assertEquals(List.of(new IceServer(URLS, null, null)), turn(Map.of("urls", String.join(" , ", URLS)))
                .iceServers("alice"));
    }

    @Test
    void withoutSecretOnlyTheUrlsAreHandedOut() {
        assertEquals(List.of(new IceServer(URLS, null, null)), turn(Map.of("urls", URLS)).iceServers("alice"));
    }

    @Test
    void withoutUrlsThereIsNoIceServer() {
        assertEquals(List.of(), turn(Map.of()).iceServers("alice"));
    }

    @Test
    void badSettingsNameTheirKey() {
        assertEquals("qos.turn.urls: required when qos.turn.secret is set",
                assertThrows(ConnectorException.class, () -> turn(Map.of("secret", "s"))).getMessage());
        assertEquals("qos.turn.urls: 'http://turn.example.com' is not a stun:, stuns:, turn: or turns: URL",
                assertThrows(ConnectorException.class, () -> turn(Map.of("urls", List.of("http://turn.example.com"))))
                        .getMessage());
        assertEquals("qos.turn.ttl: must be between 60 and 2592000 seconds, got 5",
                assertThrows(ConnectorException.class, () -> turn(Map.of("urls", URLS, "ttl", 5))).getMessage());
        assertEquals("qos.turn.ttl: must be a whole number of seconds, got 'soon'",
                assertThrows(ConnectorException.class, () -> turn(Map.of("urls", URLS, "ttl", "soon"))).getMessage());
    }

    @Test
    void theSecretNeverShows() {
        String text = TurnSettings.from(new ConnectorContext("qos.turn", Map.of("urls", URLS, "secret", "north-wind"),
                "example.com")).toString();
        assertFalse(text.contains("north-wind"), text);
    }
}
