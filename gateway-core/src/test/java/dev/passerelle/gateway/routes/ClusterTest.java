package dev.passerelle.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.LoggedEvent;
import dev.passerelle.gateway.session.memory.LocalBus;
import dev.passerelle.gateway.signaling.Method;
import dev.passerelle.gateway.signaling.Params;
import dev.passerelle.gateway.signaling.ProtocolCodec;
import dev.passerelle.gateway.signaling.Request;
import dev.passerelle.gateway.signaling.Results;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every message between nodes makes the round trip through the bus whole (a node's bus delivers
 * to itself here), and a request's outcome, result or error, comes back to the asking node.
 */
class ClusterTest {

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService work = Executors.newSingleThreadExecutor();
    private final BlockingQueue<Object> heard = new LinkedBlockingQueue<>();
    private volatile CompletionStage<Object> answer = CompletableFuture.completedFuture(Results.Empty.INSTANCE);
    private LocalBus bus;
    private Cluster cluster;

    @BeforeEach
    void setUp() {
        bus = new LocalBus("node-a", Clock.systemUTC());
        cluster = new Cluster(bus, new ProtocolCodec(32, 65536), Duration.ofSeconds(2), Clock.systemUTC(),
                work, timers);
        cluster.start(new Cluster.Receiver() {
            @Override
            public void wake(String sessionId, LoggedEvent event) {
                heard.add(sessionId + " " + event);
            }

            @Override
            public void moved(String sessionId) {
                heard.add("moved " + sessionId);
            }

            @Override
            public CompletionStage<Object> forwarded(String sessionId, Request request) {
                heard.add(sessionId + " " + request.method() + " " + request.params());
                return answer;
            }

            @Override
            public CompletionStage<Object> endCall(String callId, EndCause cause) {
                heard.add(callId + " " + cause);
                return answer;
            }

            @Override
            public void catchUp() {
                heard.add("catch up");
            }
        });
    }

    @AfterEach
    void tearDown() {
        bus.close();
        timers.shutdownNow();
        work.shutdownNow();
    }

    private Object next() throws InterruptedException {
        Object o = heard.poll(5, TimeUnit.SECONDS);
        if (o == null) {
            throw new AssertionError("the receiver heard nothing within 5 s");
        }
        return o;
    }

    @Test
    void aWakeAndAMoveArriveWhole() throws Exception {
        String frame = "{\"jsonrpc\":\"2.0\",\"method\":\"call.ended\",\"params\":{\"callId\":\"c1\",\"seq\":7}}";
        cluster.wake("node-a", "s1", new LoggedEvent(7, frame));
        cluster.moved("node-a", "s2");

        assertEquals("s1 " + new LoggedEvent(7, frame), next());
        assertEquals("moved s2", next());
    }

    @Test
    void aForwardedRequestArrivesWholeAndItsResultComesBack() throws Exception {
        Object result = cluster.forward("node-a", "s1",
                new Request(IntNode.valueOf(4), Method.CALL_ANSWER, new Params.Answer("c1", "v=0\r\n"))).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);

        assertEquals("s1 " + Method.CALL_ANSWER + " " + new Params.Answer("c1", "v=0\r\n"), next());
        assertEquals(Results.Empty.INSTANCE, result);
    }

    @Test
    void anErrorOfTheOwnerComesBackWithItsCodeAndMessage() {
        answer = CompletableFuture.failedFuture(new GatewayException(ErrorCode.NOT_FOUND, "no call c1 for this session"));

        ExecutionException e = assertThrows(ExecutionException.class, () -> cluster.endCall("node-a", "c1",
                EndCause.byClient("s1", 480, "connection lost")).toCompletableFuture().get(5, TimeUnit.SECONDS));

        GatewayException cause = assertInstanceOf(GatewayException.class, e.getCause());
        assertEquals(ErrorCode.NOT_FOUND, cause.code());
        assertEquals("no call c1 for this session", cause.getMessage());
    }

    @Test
    void anEndCallCarriesItsCause() throws Exception {
        cluster.endCall("node-a", "c1", EndCause.byClient("s1", 480, "connection lost")).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);

        assertEquals("c1 " + EndCause.byClient("s1", 480, "connection lost"), next());
    }

    @Test
    void aNodeThatCannotBeReachedIs503() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> cluster.forward("node-b", "s1",
                new Request(IntNode.valueOf(1), Method.CALL_HANGUP, new Params.Hangup("c1"))).toCompletableFuture()
                .get(5, TimeUnit.SECONDS));

        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, assertInstanceOf(GatewayException.class, e.getCause()).code());
    }

    @Test
    void anUnreadableMessageIsDroppedAndTheNextOneStillArrives() throws Exception {
        cluster.message("{\"type\":\"no-such-type\"}");
        cluster.message("not json");
        cluster.moved("node-a", "s3");

        assertEquals("moved s3", next());
    }
}
