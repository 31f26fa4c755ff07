package dev.passerelle.gateway.qos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.passerelle.gateway.config.GatewayConfig.QosConfig;
import dev.passerelle.gateway.signaling.Results.IceServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {

    /** 2024-01-01T00:00:00Z. */
    private static final Clock NEW_YEAR = Clock.fixed(Instant.ofEpochSecond(1_704_067_200L), ZoneOffset.UTC);

    private static final List<String> URLS = List.of("turn:turn.example.com:3478?transport=udp",
            "turns:turn.example.com:5349?transport=tcp");

    @Test
    void credentialIsTheTurnRestApiHmac() {
        TurnCredentials turn = new TurnCredentials(new QosConfig(URLS, Optional.of("secret"), Duration.ofSeconds(86_400), Map.of()),
                NEW_YEAR);

        // Expected credential computed outside Java, so a wrong algorithm or encoding shows:
        // printf '%s' '1704153600:alice' | openssl dgst -sha1 -hmac secret -binary | base64
        assertEquals(List.of(new IceServer(URLS, "1704153600:alice", "8NMZvQR97loLy4Fxv10RHtt8Zyg=")),
                turn.forUser("alice"));
    }

    @Test
    void expiryFollowsTheClockAndTtl() {
        TurnCredentials turn = new TurnCredentials(new QosConfig(URLS, Optional.of("north-wind"), Duration.ofSeconds(3600), Map.of()),
                NEW_YEAR);

        // printf '%s' '1704070800:bob' | openssl dgst -sha1 -hmac north-wind -binary | base64
        assertEquals(List.of(new IceServer(URLS, "1704070800:bob", "naI4W4Vk4Go9n8g4r3okoNtwuwU=")),
                turn.forUser("bob"));
    }

    @Test
    void withoutSecretOnlyTheUrlsAreHandedOut() {
        TurnCredentials turn = new TurnCredentials(new QosConfig(URLS, Optional.empty(), Duration.ofSeconds(86_400), Map.of()),
                NEW_YEAR);

        assertEquals(List.of(new IceServer(URLS, null, null)), turn.forUser("alice"));
    }

    @Test
    void withoutUrlsThereIsNoIceServer() {
        TurnCredentials turn = new TurnCredentials(new QosConfig(List.of(), Optional.of("secret"), Duration.ofSeconds(86_400), Map.of()),
                NEW_YEAR);

        assertEquals(List.of(), turn.forUser("alice"));
    }
}
