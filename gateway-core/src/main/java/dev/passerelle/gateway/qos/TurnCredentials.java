package dev.passerelle.gateway.qos;

import dev.passerelle.gateway.config.GatewayConfig.QosConfig;
import dev.passerelle.gateway.signaling.Results.IceServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ICE servers handed out at login. With {@code qos.turn.secret} set, each login gets
 * short-lived credentials of the TURN REST API that coturn's {@code static-auth-secret} checks:
 * username {@code <expiry unix time>:<user>}, password base64(HMAC-SHA1(secret, username)).
 */
public final class TurnCredentials {

    private final QosConfig config;
    private final Clock clock;

    public TurnCredentials(QosConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** The {@code iceServers} of a login result for {@code user}; empty when none is configured. */
    public List<IceServer> forUser(String user) {
        if (config.turnUrls().isEmpty()) {
            return List.of();
        }
        if (config.turnSecret().isEmpty()) {
            return List.of(new IceServer(config.turnUrls(), null, null));
        }
        long expiry = clock.instant().plus(config.turnTtl()).getEpochSecond();
        String username = expiry + ":" + user;
        return List.of(new IceServer(config.turnUrls(), username, hmac(config.turnSecret().get(), username)));
    }

    private static String hmac(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA1", e);
        }
    }
}
