package dev.passerelle.gateway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class SignalingServerTest {

    private static final long WAIT_SECONDS = 5;

    private final ProtocolCodec codec = new ProtocolCodec(32, 65536);
    private final StubHandler handler = new StubHandler();
    private final SignalingServer server = new SignalingServer(codec, handler);

    @Test
    void malformedJsonIsAnsweredWithParseErrorAndNullId() throws Exception {
        FakeConnection c = open("c1");
        server.text(c, "{oops");
        ProtocolCodec.DecodedResponse r = codec.decodeResponse(c.next());
        assertEquals(-32700, r.errorCode());
        assertTrue(r.id().isNull());
    }

    @Test
    void invalidNotificationGetsNoResponse() throws Exception {
        FakeConnection c = login(open("c1"), "s1");
        server.text(c, "{\"jsonrpc\":\"2.0\",\"method\":\"session.ack\",\"params\":{\"seq\":-1}}");
        server.text(c, "{\"jsonrpc\":\"2.0\",\"method\":\"no.such\"}");
        server.text(c, request(9, Method.CALL_HANGUP, new Params.Hangup("x")));
        handler.next().future.complete(Results.Empty.INSTANCE);
        assertEquals(IntNode.valueOf(9), codec.decodeResponse(c.next()).id(), "the first frame answers id 9");
    }

    @Test
    void callBeforeLoginIs401AndNeverReachesTheHandler() throws Exception {
        FakeConnection c = open("c1");
        server.text(c, request(1, Method.CALL_HANGUP, new Params.Hangup("x")));
        ProtocolCodec.DecodedResponse r = codec.decodeResponse(c.next());
        assertEquals(401, r.errorCode());
        assertEquals("not logged in", r.errorMessage());
        assertTrue(handler.calls.isEmpty());
    }

    @Test
    void loginBindsBeforeTheResultIsWritten() throws Exception {
        FakeConnection c = open("c1");
        server.text(c, request(1, Method.SESSION_LOGIN, new Params.Login("tok", null)));
        Call call = handler.next();
        assertNull(call.sessionId);
        assertFalse(server.isAttached("s1"));
        c.attachedWhenSending = () -> server.isAttached("s1");
        call.future.complete(loginResult("s1"));
        assertEquals("s1", codec.decodeResult(c.next(), Results.Login.class).sessionId());
        assertEquals(List.of(true), c.attachedAtSend);

        server.text(c, request(2, Method.CALL_INVITE, new Params.Invite("bob", "v=0", null)));
        Call invite = handler.next();
        assertEquals("s1", invite.sessionId);
        assertEquals("c1", invite.connectionId);
        invite.future.complete(new Results.Invite("call-1"));
        assertEquals("call-1", codec.decodeResult(c.next(), Results.Invite.class).callId());
    }

    @Test
    void secondLoginOnABoundOrLoggingInConnectionIs400() throws Exception {
        FakeConnection c = open("c1");
        server.text(c, request(1, Method.SESSION_LOGIN, new Params.Login("tok", null)));
        Call first = handler.next();
        server.text(c, request(2, Method.SESSION_RESUME, new Params.Resume("rt", 0)));
        assertEquals(400, codec.decodeResponse(c.next()).errorCode(), "refused while login is in flight");
        first.future.complete(loginResult("s1"));
        c.next();
        server.text(c, request(3, Method.SESSION_LOGIN, new Params.Login("tok", null)));
        assertEquals(400, codec.decodeResponse(c.next()).errorCode(), "refused once bound");
    }

    @Test
    void failedLoginLeavesTheConnectionFreeToTryAgain() throws Exception {
        FakeConnection c = open("c1");
        server.text(c, request(1, Method.SESSION_LOGIN, new Params.Login("bad", null)));
        handler.next().future.completeExceptionally(new GatewayException(ErrorCode.FORBIDDEN, "bad token"));
        ProtocolCodec.DecodedResponse r = codec.decodeResponse(c.next());
        assertEquals(403, r.errorCode());
        assertEquals("bad token", r.errorMessage());
        login(c, "s1");
    }

    @Test
    void unexpectedFailuresAre500() throws Exception {
        FakeConnection c = login(open("c1"), "s1");
        server.text(c, request(2, Method.CALL_HANGUP, new Params.Hangup("x")));
        handler.next().future.completeExceptionally(new IllegalStateException("boom"));
        ProtocolCodec.DecodedResponse r = codec.decodeResponse(c.next());
        assertEquals(500, r.errorCode());
        assertEquals("internal error", r.errorMessage());

        handler.throwOnHandle = new IllegalArgumentException("sync boom");
        server.text(c, request(3, Method.CALL_HANGUP, new Params.Hangup("x")));
        assertEquals(500, codec.decodeResponse(c.next()).errorCode());
    }

    @Test
    void notificationsReachTheHandlerAndGetNoResponse() throws Exception {
        FakeConnection c = login(open("c1"), "s1");
        server.text(c, codec.request(new Request(null, Method.SESSION_ACK, new Params.Ack(5))));
        Call ack = handler.next();
        assertEquals(new Params.Ack(5), ack.request.params());
        ack.future.complete(null);
        server.text(c, request(6, Method.CALL_HANGUP, new Params.Hangup("x")));
        handler.next().future.complete(Results.Empty.INSTANCE);
        assertEquals(IntNode.valueOf(6), codec.decodeResponse(c.next()).id());
    }

    @Test
    void logoutUnbindsAndCloseThenDoesNotDetach() throws Exception {
        FakeConnection c = login(open("c1"), "s1");
        server.text(c, request(2, Method.SESSION_LOGOUT, new Params.Logout()));
        handler.next().future.complete(Results.Empty.INSTANCE);
        assertEquals("{}", codec.decodeResponse(c.next()).result().toString());
        assertFalse(server.isAttached("s1"));
        server.closed(c, 1000, "bye");
        assertTrue(handler.detached.isEmpty());
        assertEquals(0, server.connectionCount());
    }

    @Test
    void closingABoundConnectionDetachesItsSession() throws Exception {
        FakeConnection c = login(open("c1"), "s1");
        server.closed(c, 1006, "gone");
        assertEquals("s1", handler.detached.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        assertFalse(server.isAttached("s1"));
    }

    @Test
    void connectionClosedWhileLoginIsInFlightDetachesTheNewSession() throws Exception {
        FakeConnection c = open("c1");
        server.text(c, request(1, Method.SESSION_LOGIN, new Params.Login("tok", null)));
        Call call = handler.next();
        server.closed(c, 1006, "gone");
        call.future.complete(loginResult("s1"));
        assertEquals("s1", handler.detached.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        assertFalse(server.isAttached("s1"));
    }

    @Test
    void pushReachesTheBoundConnectionOnly() throws Exception {
        FakeConnection c = login(open("c1"), "s1");
        String frame = codec.event(new Event.CallConfirmed("k"), 1);
        assertTrue(server.push("s1", frame));
        assertEquals(frame, c.next());
        assertFalse(server.push("nobody", frame));
    }

    @Test
    void resumeOnANewConnectionTakesTheSessionOver() throws Exception {
        FakeConnection old = login(open("c1"), "s1");
        FakeConnection fresh = open("c2");
        server.text(fresh, request(1, Method.SESSION_RESUME, new Params.Resume("rt", 0)));
        handler.next().future.complete(new Results.Resume("s1", 0));
        assertEquals("s1", codec.decodeResult(fresh.next(), Results.Resume.class).sessionId());
        assertEquals(SignalingServer.SESSION_MOVED, old.closeCodes.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        server.closed(old, 1000, "moved");
        assertTrue(handler.detached.isEmpty(), "the old socket no longer owns the session");
        String frame = codec.event(new Event.CallConfirmed("k"), 1);
        assertTrue(server.push("s1", frame));
        assertEquals(frame, fresh.next());
    }

    @Test
    void closeAllClosesEveryConnection() throws Exception {
        FakeConnection a = open("a");
        FakeConnection b = open("b");
        assertEquals(2, server.connectionCount());
        server.closeAll(1001, "going away");
        assertEquals(1001, a.closeCodes.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(1001, b.closeCodes.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    // ------------------------------------------------------------------ helpers

    private FakeConnection open(String id) {
        FakeConnection c = new FakeConnection(id);
        server.opened(c);
        return c;
    }

    @Test
    void gatewayRequestIsAnsweredByTheClientsResponse() throws Exception {
        FakeConnection c = login(open("c1"), "s1");
        CompletableFuture<Results.Update> answer = server.request("s1", "call.update",
                new Params.Update("call-1", "v=0 offer"), Results.Update.class, Duration.ofSeconds(WAIT_SECONDS))
                .toCompletableFuture();
        ProtocolCodec.GatewayRequest sent = codec.decodeGatewayRequest(c.next());
        assertEquals(new Params.Update("call-1", "v=0 offer"), sent.params());
        // Another connection cannot answer it; a response to an unknown id is ignored.
        FakeConnection other = login(open("c2"), "s2");
        server.text(other, codec.result(sent.id(), new Results.Update("v=0 forged")));
        server.text(c, codec.result(TextNode.valueOf("g-unknown"), new Results.Update("v=0 stray")));
        assertFalse(answer.isDone());
        assertTrue(other.sent.isEmpty() && c.sent.isEmpty(), "responses get no response");

        server.text(c, codec.result(sent.id(), new Results.Update("v=0 answer")));
        assertEquals("v=0 answer", answer.get(WAIT_SECONDS, TimeUnit.SECONDS).sdp());
        // A duplicate is ignored too.
        server.text(c, codec.result(sent.id(), new Results.Update("v=0 again")));
        assertTrue(c.sent.isEmpty());
    }

    @Test
    void gatewayRequestFailsWithTheClientsErrorTimeoutOrClose() throws Exception {
        FakeConnection c = login(open("c1"), "s1");
        CompletableFuture<Results.Update> refused = server.request("s1", "call.update",
                new Params.Update("call-1", "v=0"), Results.Update.class, Duration.ofSeconds(WAIT_SECONDS))
                .toCompletableFuture();
        server.text(c, codec.error(codec.decodeGatewayRequest(c.next()).id(), ErrorCode.NOT_ACCEPTABLE_HERE, "no"));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, failure(refused).code());

        CompletableFuture<Results.Update> late = server.request("s1", "call.update",
                new Params.Update("call-1", "v=0"), Results.Update.class, Duration.ofMillis(200)).toCompletableFuture();
        assertEquals(ErrorCode.TIMEOUT, failure(late).code());

        CompletableFuture<Results.Update> closed = server.request("s1", "call.update",
                new Params.Update("call-1", "v=0"), Results.Update.class, Duration.ofSeconds(WAIT_SECONDS))
                .toCompletableFuture();
        c.next();
        c.next();
        server.closed(c, 1001, "gone");
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, failure(closed).code());

        CompletableFuture<Results.Update> nobody = server.request("s1", "call.update",
                new Params.Update("call-1", "v=0"), Results.Update.class, Duration.ofSeconds(WAIT_SECONDS))
                .toCompletableFuture();
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, failure(nobody).code());
    }

    @Test
    void malformedResponseGetsTheFramingErrorAndTheSessionGoesOn() throws Exception {
        FakeConnection c = login(open("c1"), "s1");
        server.text(c, "{\"jsonrpc\":\"2.0\",\"id\":\"g-1\",\"error\":{\"code\":\"x\"}}");
        ProtocolCodec.DecodedResponse r = codec.decodeResponse(c.next());
        assertEquals(-32600, r.errorCode());
        assertTrue(r.id().isNull());
        assertTrue(server.isAttached("s1"));
    }

    private static GatewayException failure(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return (GatewayException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the request did not end", e);
        }
        throw new AssertionError("the request succeeded");
    }

    private FakeConnection login(FakeConnection c, String sessionId) throws InterruptedException {
        server.text(c, request(100, Method.SESSION_LOGIN, new Params.Login("tok", null)));
        handler.next().future.complete(loginResult(sessionId));
        assertEquals(sessionId, codec.decodeResult(c.next(), Results.Login.class).sessionId());
        return c;
    }

    private String request(int id, Method method, Params params) {
        return codec.request(new Request(IntNode.valueOf(id), method, params));
    }

    private static Results.Login loginResult(String sessionId) {
        return new Results.Login(sessionId, "rt-" + sessionId,
                new Results.Identity("alice", "sip:alice@localhost", "Alice"), List.of());
    }

    private record Call(String connectionId, String sessionId, Request request, CompletableFuture<Object> future) {}

    /** Hands each request to the test, which completes it when it wants to. */
    private static final class StubHandler implements RequestHandler {
        final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
        final BlockingQueue<String> detached = new LinkedBlockingQueue<>();
        volatile RuntimeException throwOnHandle;

        @Override
        public CompletionStage<Object> handle(String connectionId, String sessionId, Request request) {
            if (throwOnHandle != null) {
                throw throwOnHandle;
            }
            CompletableFuture<Object> future = new CompletableFuture<>();
            calls.add(new Call(connectionId, sessionId, request, future));
            return future;
        }

        @Override
        public void sessionDetached(String sessionId) {
            detached.add(sessionId);
        }

        Call next() throws InterruptedException {
            Call call = calls.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(call, "no request reached the handler");
            return call;
        }
    }

    /** The transport seam: records what the signaling layer sends and closes. */
    private static final class FakeConnection implements ClientConnection {
        final String id;
        final BlockingQueue<String> sent = new LinkedBlockingQueue<>();
        final BlockingQueue<Integer> closeCodes = new LinkedBlockingQueue<>();
        final List<Boolean> attachedAtSend = new CopyOnWriteArrayList<>();
        volatile BooleanSupplier attachedWhenSending;

        FakeConnection(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public boolean send(String frame) {
            if (attachedWhenSending != null) {
                attachedAtSend.add(attachedWhenSending.getAsBoolean());
            }
            sent.add(frame);
            return true;
        }

        @Override
        public void close(int statusCode, String reason) {
            closeCodes.add(statusCode);
        }

        String next() throws InterruptedException {
            String frame = sent.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(frame, "nothing was sent");
            return frame;
        }
    }
}
