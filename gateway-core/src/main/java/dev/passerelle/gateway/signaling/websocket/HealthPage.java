package dev.passerelle.gateway.signaling.websocket;

import dev.passerelle.gateway.signaling.Health;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /health} (and HEAD): the node's {@link Health} as JSON, with HTTP 200 while it serves
 * and 503 while it drains or a part it needs is down, so that a load balancer's probe needs no
 * parsing. Never cached. Every other request passes on to the next handler.
 */
final class HealthPage extends Handler.Abstract.NonBlocking {

    static final String PATH = "/health";

    private final Supplier<Health> health;
    private final Function<Health, String> json;

    HealthPage(Supplier<Health> health, Function<Health, String> json) {
        this.health = health;
        this.json = json;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        if (!PATH.equals(Request.getPathInContext(request))
                || !(HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method))) {
            return false;
        }
        Health now = health.get();
        byte[] body = json.apply(now).getBytes(StandardCharsets.UTF_8);
        response.setStatus(now.serving() ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, HttpMethod.HEAD.is(method) ? null : ByteBuffer.wrap(body), callback);
        return true;
    }
}
