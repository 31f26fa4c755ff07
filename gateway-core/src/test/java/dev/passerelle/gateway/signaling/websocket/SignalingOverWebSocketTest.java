package dev.passerelle.gateway.signaling.websocket;

import static dev.passerelle.gateway.signaling.websocket.TestClient.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.signaling.Event;
import dev.passerelle.gateway.signaling.Method;
import dev.passerelle.gateway.signaling.Params;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import dev.passerelle.gateway.signaling.Request;
import dev.passerelle.gateway.signaling.RequestHandler;
import dev.passerelle.gateway.signaling.Results;
import dev.passerelle.gateway.signaling.SignalingServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WebSocketServer + SignalingServer + a stub application, over a real socket. */
class SignalingOverWebSocketTest {

    private static final int DEPTH = 32;

    private final ProtocolCodec codec = new ProtocolCodec(DEPTH, 65536);
    private final StubHandler handler = new StubHandler();
    private final SignalingServer signaling = new SignalingServer(codec, handler);
    private WebSocketServer server;
    private TestClient client;

    @BeforeEach
    void start() throws Exception {
        server = new WebSocketServer(new GatewayConfig.WebSocketConfig("127.0.0.1", 0, "/ws", 65536, DEPTH, 64,
                Duration.ofSeconds(30), Duration.ofSeconds(30)), signaling, HealthPageTest::up, h -> "{}");
        server.start();
        client = TestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), true,
                WebSocketServer.SUBPROTOCOL);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void malformedJsonIsAnsweredAndTheConnectionLivesOn() throws Exception {
        client.send("{\"jsonrpc\":\"2.0\",");
        ProtocolCodec.DecodedResponse error = codec.decodeResponse(client.next());
        assertEquals(-32700, error.errorCode());
        assertTrue(error.id().isNull());
        login();
    }

    @Test
    void tooDeepJsonIsAnsweredAndTheConnectionLivesOn() throws Exception {
        int arrays = DEPTH; // with the request object and params: DEPTH + 2 levels
        client.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"session.login\",\"params\":{\"token\":\"t\",\"x\":"
                + "[".repeat(arrays) + "]".repeat(arrays) + "}}");
        ProtocolCodec.DecodedResponse error = codec.decodeResponse(client.next());
        assertEquals(-32600, error.errorCode());
        assertTrue(error.errorMessage().contains("nesting depth"), error.errorMessage());
        login();
    }

    @Test
    void callBeforeLoginIs401() throws Exception {
        client.send(codec.request(new Request(IntNode.valueOf(1), Method.CALL_HANGUP, new Params.Hangup("c"))));
        ProtocolCodec.DecodedResponse error = codec.decodeResponse(client.next());
        assertEquals(401, error.errorCode());
        assertEquals(IntNode.valueOf(1), error.id());
    }

    @Test
    void loggedInClientCallsAndReceivesEvents() throws Exception {
        login();
        client.send(codec.request(new Request(IntNode.valueOf(2), Method.CALL_INVITE,
                new Params.Invite("bob", "v=0", null))));
        assertEquals("call-1", codec.decodeResult(client.next(), Results.Invite.class).callId());
        handler.seen.poll(WAIT_SECONDS, TimeUnit.SECONDS); // the login
        Seen invite = handler.seen.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals("s1", invite.sessionId());
        assertTrue(invite.connectionId().startsWith("ws-"), invite.connectionId());

        assertTrue(signaling.push("s1", codec.event(new Event.CallAccepted("call-1", "v=0"), 1)));
        ProtocolCodec.DecodedEvent event = codec.decodeEvent(client.next());
        assertEquals(new Event.CallAccepted("call-1", "v=0"), event.event());
        assertEquals(1, event.seq());
    }

    @Test
    void droppedSocketDetachesTheSession() throws Exception {
        login();
        client.socket().abort();
        assertEquals("s1", handler.detached.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        assertFalse(signaling.isAttached("s1"));
    }

    private void login() throws Exception {
        client.send(codec.request(new Request(IntNode.valueOf(100), Method.SESSION_LOGIN,
                new Params.Login("tok", null))));
        assertEquals("s1", codec.decodeResult(client.next(), Results.Login.class).sessionId());
        assertTrue(signaling.isAttached("s1"));
    }

    private record Seen(String connectionId, String sessionId) {}

    /** Logs everyone in as s1 and answers every call at once. */
    private static final class StubHandler implements RequestHandler {
        final BlockingQueue<String> detached = new LinkedBlockingQueue<>();
        final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

        @Override
        public CompletionStage<Object> handle(String connectionId, String sessionId, Request request) {
            seen.add(new Seen(connectionId, sessionId));
            Object result = switch (request.method()) {
                case SESSION_LOGIN -> new Results.Login("s1", "rt",
                        new Results.Identity("alice", "sip:alice@localhost", "Alice"), List.of());
                case CALL_INVITE -> new Results.Invite("call-1");
                default -> Results.Empty.INSTANCE;
            };
            return CompletableFuture.completedFuture(result);
        }

        @Override
        public void sessionDetached(String sessionId) {
            detached.add(sessionId);
        }
    }
}
