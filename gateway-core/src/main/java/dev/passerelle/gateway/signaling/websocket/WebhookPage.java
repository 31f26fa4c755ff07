package dev.passerelle.gateway.signaling.websocket;

import dev.passerelle.gateway.signaling.Webhooks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /connectors/<path>}: the body (at most {@link Webhooks#MAX_BODY_BYTES}, else 413)
 * handed to {@link Webhooks}, whose reply is written back; 404 for a path nobody serves, 405 for
 * another method, 500 when the endpoint throws. Blocking: the request's thread reads the body and
 * runs the endpoint. Every other path passes on to the next handler.
 */
final class WebhookPage extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(WebhookPage.class);

    static final String PREFIX = "/connectors/";

    private final Webhooks webhooks;

    WebhookPage(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        String path = Request.getPathInContext(request);
        if (!path.startsWith(PREFIX)) {
            return false;
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "POST only");
            return true;
        }
        if (request.getLength() > Webhooks.MAX_BODY_BYTES) {
            tooLarge(request, response, callback);
            return true;
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(Webhooks.MAX_BODY_BYTES + 1);
        }
        if (body.length > Webhooks.MAX_BODY_BYTES) {
            tooLarge(request, response, callback);
            return true;
        }
        Optional<Webhooks.Reply> reply;
        try {
            reply = webhooks.post(path.substring(PREFIX.length()), headers(request), body);
        } catch (RuntimeException e) {
            log.warn("{} failed: {}", path, e.toString(), e);
            Response.writeError(request, response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, e.getMessage());
            return true;
        }
        if (reply.isEmpty()) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404, "no connector endpoint " + path);
            return true;
        }
        Webhooks.Reply r = reply.get();
        response.setStatus(r.status());
        if (r.contentType() != null && r.body().length > 0) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, r.body().length);
        response.write(true, ByteBuffer.wrap(r.body()), callback);
        return true;
    }

    private static void tooLarge(Request request, Response response, Callback callback) {
        Response.writeError(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413,
                "bodies are limited to " + Webhooks.MAX_BODY_BYTES + " bytes");
    }

    private static Map<String, String> headers(Request request) {
        Map<String, String> out = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
            out.merge(field.getName(), field.getValue() == null ? "" : field.getValue(), (a, b) -> a + ", " + b);
        }
        return out;
    }
}
