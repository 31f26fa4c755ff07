package dev.passerelle.connector.turn;

import static dev.passerelle.connector.spi.ConnectorSettings.scalar;
import static dev.passerelle.connector.spi.ConnectorSettings.whole;

import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.ConnectorSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of {@code qos.turn.reports}: where quality reports are forwarded and how. Every
 * refusal is a {@link ConnectorException} whose message starts with the key at fault.
 *
 * @param uri the QoS server's http or https URL; empty: reports are only kept in the call record
 * @param authorization the whole {@code Authorization} header value sent with each POST, or empty
 * @param batchSize a batch is posted as soon as it holds this many reports
 * @param flushInterval a batch is posted at the latest this long after its first report; also the
 *     first retry delay and the shortest gap between two "dropped" log lines
 * @param queueLimit reports waiting to be sent, beyond which new ones are dropped
 * @param timeout bound of one POST, and of the flush on close
 */
record ReportSettings(Optional<URI> uri, Optional<String> authorization, int batchSize, Duration flushInterval,
        int queueLimit, Duration timeout) {

    static final int DEFAULT_BATCH_SIZE = 50;
    static final int MAX_BATCH_SIZE = 10_000;
    static final int DEFAULT_FLUSH_INTERVAL_MS = 1000;
    static final int MIN_FLUSH_INTERVAL_MS = 10;
    static final int MAX_FLUSH_INTERVAL_MS = 600_000;
    static final int DEFAULT_QUEUE_LIMIT = 10_000;
    static final int MAX_QUEUE_LIMIT = 1_000_000;
    static final int DEFAULT_TIMEOUT_MS = 5000;
    static final int MIN_TIMEOUT_MS = 100;
    static final int MAX_TIMEOUT_MS = 120_000;

    private static final List<String> KEYS = List.of("uri", "authorization", "batchSize", "flushInterval",
            "queueLimit", "timeout");

    /** Reads {@code <at>.reports} from the connector's settings; absent: nothing is forwarded. */
    static ReportSettings from(Map<?, ?> turnSettings, String at) {
        String key = at + ".reports";
        Map<?, ?> s = ConnectorSettings.mapping(turnSettings, "reports", at, KEYS);
        String uriText = scalar(s, "uri", key);
        Optional<String> authorization = Optional.ofNullable(ConnectorSettings.authorizationValue(
                scalar(s, "authorization", key), key + ".authorization"));
        if (uriText == null && authorization.isPresent()) {
            throw new ConnectorException(key + ".uri: required when " + key + ".authorization is set");
        }
        return new ReportSettings(
                Optional.ofNullable(uriText).map(text -> ConnectorSettings.httpUrl(text, key + ".uri", key + ".authorization")),
                authorization,
                whole(s, "batchSize", key, 1, MAX_BATCH_SIZE, DEFAULT_BATCH_SIZE, "reports"),
                Duration.ofMillis(whole(s, "flushInterval", key, MIN_FLUSH_INTERVAL_MS, MAX_FLUSH_INTERVAL_MS,
                        DEFAULT_FLUSH_INTERVAL_MS, "milliseconds")),
                whole(s, "queueLimit", key, 1, MAX_QUEUE_LIMIT, DEFAULT_QUEUE_LIMIT, "reports"),
                Duration.ofMillis(whole(s, "timeout", key, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS,
                        "milliseconds")));
    }

    /** Never shows the credentials. */
    @Override
    public String toString() {
        return "ReportSettings[uri=" + uri.map(URI::toString).orElse("none") + ", authorization="
                + (authorization.isPresent() ? "(set)" : "none") + ", batchSize=" + batchSize + ", flushInterval="
                + flushInterval.toMillis() + "ms, queueLimit=" + queueLimit + ", timeout=" + timeout.toMillis() + "ms]";
    }
}
