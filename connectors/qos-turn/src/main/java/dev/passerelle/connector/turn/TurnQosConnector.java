package dev.passerelle.connector.turn;

import dev.passerelle.connector.spi.IceServer;
import dev.passerelle.connector.spi.QosConnector;
import dev.passerelle.connector.spi.QualityReport;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ICE servers of {@code qos.turn}. With a secret, each login gets short-lived credentials of
 * the TURN REST API that coturn's {@code use-auth-secret} checks: user name
 * {@code <expiry unix time>:<user>}, password base64(HMAC-SHA1(secret, user name))
 * (draft-uberti-behave-turn-rest-00 §2.2).
 *
 * <p>Quality reports go to the QoS server of {@code qos.turn.reports.uri} through a
 * {@link ReportSender}; without that URL they are taken and forgotten here (the gateway keeps the
 * latest of each user in the call's record either way).
 */
final class TurnQosConnector implements QosConnector {

    private final TurnSettings settings;
    private final Clock clock;
    private final Optional<ReportSender> reports;

    TurnQosConnector(TurnSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.reports = settings.reports().uri().map(uri -> ReportSender.start(settings.reports(), uri));
    }

    @Override
    public List<IceServer> iceServers(String user) {
        if (settings.urls().isEmpty()) {
            return List.of();
        }
        if (settings.secret().isEmpty()) {
            return List.of(new IceServer(settings.urls(), null, null));
        }
        long expiry = clock.instant().plus(settings.ttl()).getEpochSecond();
        String username = expiry + ":" + user;
        return List.of(new IceServer(settings.urls(), username, hmac(settings.secret().get(), username)));
    }

    @Override
    public void report(QualityReport report) {
        reports.ifPresent(sender -> sender.offer(report));
    }

    /** Reports dropped so far because the queue was full or the connector closed. */
    long droppedReports() {
        return reports.map(ReportSender::dropped).orElse(0L);
    }

    /** Sends the reports still queued, within {@code qos.turn.reports.timeout}. */
    @Override
    public void close() {
        reports.ifPresent(ReportSender::close);
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
