package dev.passerelle.connector.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.passerelle.connector.spi.IdentityUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One introspection request (RFC 7662 §2.1) and the checks on its answer that concern the server,
 * not the token: status 200, {@code application/json}, at most {@link #MAX_RESPONSE_BYTES}, one
 * JSON object with a boolean {@code active} (§2.2), all within the configured timeout. Any of these
 * failing fails the login as unavailable ({@link IdentityUnavailableException}, 503: the token may be
 * good) with {@link #UNAVAILABLE}, and logs why, without the token.
 */
final class IntrospectionClient {

    static final String UNAVAILABLE = "identity server unavailable";
    /** A larger answer is refused unread, so a broken endpoint cannot fill the heap. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(IntrospectionClient.class.getName());

    private final HttpSettings settings;
    private final HttpClient client;
    private final ObjectMapper json;

    IntrospectionClient(HttpSettings settings) {
        this.settings = settings;
        // HTTP/1.1: the JDK would otherwise try an h2c upgrade on http:// URLs, which some servers
        // mishandle on a POST with a body; redirects are not followed (an endpoint does not move).
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        // A duplicated member (two "active") is an ambiguity an attacker could exploit between
        // parsers: refused, as is anything after the object.
        this.json = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /** The introspection response, a JSON object whose {@code active} is a boolean. */
    JsonNode introspect(String token) {
        // RFC 7662 §2.1: form-encoded POST; the hint saves the server a lookup in its refresh tokens.
        String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token";
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.introspectionUri())
                .timeout(settings.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8));
        if (settings.authorization() != null) {
            request.header("Authorization", settings.authorization());
        }
        HttpResponse<byte[]> response = send(request.build());
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw unavailable("answered " + response.statusCode() + ": check the gateway's credentials "
                    + "(clientId and clientSecret, or authorization)", null);
        }
        if (response.statusCode() != 200) {
            throw unavailable("answered " + response.statusCode(), null);
        }
        if (!isJson(response.headers())) {
            throw unavailable("answered Content-Type '" + response.headers().firstValue("Content-Type").orElse("")
                    + "', not application/json", null);
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (JsonProcessingException e) {
            // The location only: Jackson's message quotes the content, which may hold anything.
            JsonLocation at = e.getLocation();
            throw unavailable("answered malformed JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), null);
        } catch (IOException e) {
            throw unavailable("answer unreadable", e);
        }
        if (answer == null || !answer.isObject()) {
            throw unavailable("answered JSON that is not an object", null);
        }
        if (!answer.path("active").isBoolean()) {
            throw unavailable("answered without a boolean 'active' (RFC 7662 §2.2)", null);
        }
        return answer;
    }

    /** Bounds the whole exchange, body included: the request timeout alone stops at the headers. */
    private HttpResponse<byte[]> send(HttpRequest request) {
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request, IntrospectionClient::body);
        try {
            return exchange.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw unavailable("no answer within " + settings.timeout().toMillis() + " ms", null);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw unavailable("interrupted", null);
        } catch (ExecutionException e) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof TooLarge) {
                    throw unavailable("answered more than " + MAX_RESPONSE_BYTES + " bytes", null);
                }
                // The request's own timeout and the deadline above are the same: whichever fires first.
                if (cause instanceof HttpTimeoutException) {
                    throw unavailable("no answer within " + settings.timeout().toMillis() + " ms", null);
                }
            }
            throw unavailable("unreachable: " + e.getCause(), null);
        }
    }

    /** Only a 200 JSON answer is read; any other is discarded, its status and type are enough. */
    private static BodySubscriber<byte[]> body(ResponseInfo info) {
        if (info.statusCode() != 200 || !isJson(info.headers())) {
            return BodySubscribers.replacing(null);
        }
        return new LimitedBody(info.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    /** RFC 7662 §2.2: the answer is {@code application/json}; parameters (charset) are allowed. */
    private static boolean isJson(HttpHeaders headers) {
        String type = headers.firstValue("Content-Type").orElse("");
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT)
                .equals("application/json");
    }

    private IdentityUnavailableException unavailable(String why, Throwable cause) {
        LOG.log(System.Logger.Level.WARNING, "introspection endpoint " + settings.introspectionUri() + " " + why, cause);
        return new IdentityUnavailableException(UNAVAILABLE);
    }

    /** Marks an answer cut off at {@link #MAX_RESPONSE_BYTES}. */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("response larger than " + MAX_RESPONSE_BYTES + " bytes");
        }
    }

    /**
     * Collects at most {@link #MAX_RESPONSE_BYTES}; a declared or actual excess cancels the
     * transfer. Flow guarantees the calls are serial, so no locking.
     */
    private static final class LimitedBody implements BodySubscriber<byte[]> {
        private final long declaredLength;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedBody(long declaredLength) {
            this.declaredLength = declaredLength;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (declaredLength > MAX_RESPONSE_BYTES) {
                tooLarge();
            } else {
                subscription.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > MAX_RESPONSE_BYTES) {
                    tooLarge();
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        private void tooLarge() {
            subscription.cancel();
            result.completeExceptionally(new TooLarge());
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
    }
}
