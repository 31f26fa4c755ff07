package dev.passerelle.gateway.signaling;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP endpoints connectors open on the gateway's own listener, under {@code /connectors/}, so
 * that a partner can post its events back (route files' {@code passerelle:webhook:<path>}). The
 * listener calls it for {@code POST /connectors/<path>} with a body of at most {@link
 * #MAX_BODY_BYTES}; it answers 405 to other methods and 413 to bigger bodies itself.
 */
@FunctionalInterface
public interface Webhooks {

    /** No connector endpoint: every {@code /connectors/} path is 404. */
    Webhooks NONE = (path, headers, body) -> Optional.empty();

    /** The largest request body taken. */
    int MAX_BODY_BYTES = 64 * 1024;

    /**
     * Runs the endpoint at {@code path} (what follows {@code /connectors/}) on the calling thread.
     *
     * @param headers the request headers, a header sent several times joined with ", "
     * @return the reply, or empty when no endpoint serves {@code path} (404)
     */
    Optional<Reply> post(String path, Map<String, String> headers, byte[] body);

    /**
     * @param contentType the reply's content type, or null without a body
     */
    record Reply(int status, String contentType, byte[] body) {

        public Reply {
            Objects.requireNonNull(body, "body");
        }
    }
}
