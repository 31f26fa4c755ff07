package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Offer/answer within an established dialog (RFC 3261 §14), both ways, against a raw sip.peer. */
class ReInviteTest {

    private static final String HOLD = SDP.replace("a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\r\na=sendonly\r\n");
    private static final String HELD = SDP2.replace("a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\r\na=recvonly\r\n");

    @RegisterExtension
    static final SipFixture sip = new SipFixture();

    @BeforeEach
    void clean() {
        sip.events.onOffer = (callId, sdp) ->
                CompletableFuture.failedFuture(new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "refused"));
    }

    /** A request of the peer within the dialog of {@code inv}. */
    private static String fromPeer(SipText inv, String method, int cseq, String body) {
        return SipTestSupport.request(method, SipText.uriOf(inv.header("Contact")), sip.peer.port(), "UDP", inv.callId(),
                "<sip:bob@127.0.0.1:" + sip.peer.port() + ">;tag=callee1", inv.header("From"), cseq, "", body);
    }

    private static SipText nextReInvite() throws InterruptedException {
        return sip.peer.expect(m -> "INVITE".equals(m.method()) && SipText.tag(m.header("To")) != null, WAIT, "re-INVITE");
    }

    @Test
    void reInviteCarriesTheOfferAndCompletesWithTheAnswer() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = sip.established(id);
        CompletableFuture<String> answer = sip.service.reinvite(id, HOLD).toCompletableFuture();
        SipText re = nextReInvite();
        assertEquals(inv.callId(), re.callId());
        assertEquals("callee1", SipText.tag(re.header("To")));
        assertEquals("2 INVITE", re.header("CSeq"));
        assertEquals(HOLD, re.body());
        assertTrue(re.header("Contact").contains("127.0.0.1:" + sip.service.port()), re.header("Contact"));
        assertTrue(re.firstLine().startsWith("INVITE sip:peer@127.0.0.1:" + sip.peer.port()), re.firstLine());

        sip.peer.send(SipTestSupport.response(re, 200, "OK", null, sip.peer.port(), HELD));
        SipText ack = sip.peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK of the re-INVITE's 2xx");
        assertEquals("2 ACK", ack.header("CSeq"));
        assertEquals(HELD, answer.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(HOLD, sip.service.dialog(id).orElseThrow().localSdp());
        assertEquals(HELD, sip.service.dialog(id).orElseThrow().remoteSdp());

        // A retransmitted 2xx gets the same ACK again (RFC 3261 §13.2.2.4).
        sip.peer.send(SipTestSupport.response(re, 200, "OK", null, sip.peer.port(), HELD));
        sip.peer.expect(m -> "ACK".equals(m.method()) && "2 ACK".equals(m.header("CSeq")), WAIT, "second ACK");
        sip.service.bye(id);
        sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
    }

    @Test
    void refusedReInviteKeepsTheSessionInForce() throws Exception {
        String id = UUID.randomUUID().toString();
        sip.established(id);
        CompletableFuture<String> answer = sip.service.reinvite(id, HOLD).toCompletableFuture();
        SipText re = nextReInvite();
        sip.peer.send(SipTestSupport.response(re, 488, "Not Acceptable Here", null, sip.peer.port(), null));
        ExecutionException e = assertThrows(ExecutionException.class, () -> answer.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, ((GatewayException) e.getCause()).code());
        assertEquals(SDP, sip.service.dialog(id).orElseThrow().localSdp());
        assertEquals(SDP2, sip.service.dialog(id).orElseThrow().remoteSdp());
        // The leg is still up: another re-INVITE may follow, and BYE ends it.
        sip.service.reinvite(id, HOLD);
        SipText again = nextReInvite();
        assertEquals("3 INVITE", again.header("CSeq"));
        sip.peer.send(SipTestSupport.response(again, 200, "OK", null, sip.peer.port(), HELD));
        sip.peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK");
        sip.service.bye(id);
        sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
    }

    @Test
    void glareIsRetriedAfterTheBackOffOfTheCallIdOwner() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = sip.established(id);
        CompletableFuture<String> answer = sip.service.reinvite(id, HOLD).toCompletableFuture();
        SipText re = nextReInvite();
        // While ours is in progress, the peer's own re-INVITE is refused with 491 (RFC 3261 §14.2).
        sip.peer.send(fromPeer(inv, "INVITE", 1, SDP2.replace("40002", "40004")));
        sip.peer.expect(m -> m.isResponse(491, "INVITE"), WAIT, "491 to the peer's re-INVITE");
        assertThrows(GatewayException.class, () -> sip.service.reinvite(id, HOLD));

        long sent = System.nanoTime();
        sip.peer.send(SipTestSupport.response(re, 491, "Request Pending", null, sip.peer.port(), null));
        SipText retry = sip.peer.expect(m -> "INVITE".equals(m.method()) && "3 INVITE".equals(m.header("CSeq")),
                WAIT, "re-INVITE sent again");
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        // This side sent the first INVITE, so it owns the Call-ID: 2.1 to 4 s (RFC 3261 §14.1).
        assertTrue(waitedMillis >= 2100 && waitedMillis < 4500, "retried after " + waitedMillis + " ms");
        assertEquals(HOLD, retry.body());
        sip.peer.send(SipTestSupport.response(retry, 200, "OK", null, sip.peer.port(), HELD));
        assertEquals(HELD, answer.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        sip.service.bye(id);
        sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
    }

    @Test
    void peersNewOfferIsAnsweredWithTheApplicationsAnswer() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = sip.established(id);
        CompletableFuture<String> browser = new CompletableFuture<>();
        sip.events.onOffer = (callId, sdp) -> browser;
        sip.peer.send(fromPeer(inv, "INVITE", 1, HOLD));
        sip.peer.expect(m -> m.isResponse(100, "INVITE"), WAIT, "100 Trying");
        assertEquals("remoteOffer " + id, sip.events.next(WAIT));
        // A second re-INVITE before the first one's final response is refused; the RI's dialog
        // layer answers it 491 with Retry-After before it reaches the gateway.
        sip.peer.send(fromPeer(inv, "INVITE", 2, HOLD.replace("40000", "40010")));
        SipText busy = sip.peer.expect(m -> m.isResponse(491, "INVITE") && "2 INVITE".equals(m.header("CSeq")),
                WAIT, "491 to the second re-INVITE");
        assertNotNull(busy.header("Retry-After"));
        // ... and our own exchange waits too.
        assertEquals(ErrorCode.REQUEST_PENDING,
                assertThrows(GatewayException.class, () -> sip.service.reinvite(id, SDP)).code());

        browser.complete(HELD);
        SipText ok = sip.peer.expect(m -> m.isResponse(200, "INVITE") && "1 INVITE".equals(m.header("CSeq")), WAIT, "200");
        assertEquals(HELD, ok.body());
        assertTrue(ok.header("Contact").contains("127.0.0.1:" + sip.service.port()), ok.header("Contact"));
        sip.peer.send(fromPeer(inv, "ACK", 1, null).replace("To: " + inv.header("From"), "To: " + ok.header("To")));
        assertEquals(HELD, sip.service.dialog(id).orElseThrow().localSdp());
        assertEquals(HOLD, sip.service.dialog(id).orElseThrow().remoteSdp());
        sip.service.bye(id);
        sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
    }

    @Test
    void anOfferTheApplicationCannotAnswerNowGets500WithRetryAfter() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = sip.established(id);
        sip.events.onOffer = (callId, sdp) ->
                CompletableFuture.failedFuture(new GatewayException(ErrorCode.TIMEOUT, "the browser did not answer"));
        sip.peer.send(fromPeer(inv, "INVITE", 1, HOLD));
        SipText r = sip.peer.expect(m -> m.isResponse(500, "INVITE"), WAIT, "500");
        assertEquals(String.valueOf(ReInvites.RETRY_AFTER_SECONDS), r.header("Retry-After").trim());
        assertEquals(SDP2, sip.service.dialog(id).orElseThrow().remoteSdp());

        sip.events.onOffer = (callId, sdp) -> CompletableFuture.failedFuture(
                new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "no video here"));
        sip.peer.send(fromPeer(inv, "INVITE", 2, HOLD));
        SipText refused = sip.peer.expect(m -> m.isResponse(488, "INVITE"), WAIT, "488");
        assertTrue(refused.header("Warning").contains("no video here"), refused.header("Warning"));
        sip.service.bye(id);
        sip.peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
    }

    @Test
    void reInviteOfAnUnknownOrUnestablishedLegIsRefused() {
        assertEquals(ErrorCode.CALL_DOES_NOT_EXIST,
                assertThrows(GatewayException.class, () -> sip.service.reinvite("nope", SDP)).code());
        assertEquals(ErrorCode.INVALID_PARAMS,
                assertThrows(GatewayException.class, () -> sip.service.reinvite("nope", " ")).code());
    }

    @Test
    void glareDelayFollowsRfc3261Section14_1() {
        RandomGenerator random = new SplittableRandom(7);
        Set<Long> owner = new HashSet<>();
        Set<Long> other = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            owner.add(ReInvites.glareDelayMillis(true, random));
            other.add(ReInvites.glareDelayMillis(false, random));
        }
        assertEquals(191, owner.size());
        assertEquals(2100L, owner.stream().mapToLong(Long::longValue).min().orElseThrow());
        assertEquals(4000L, owner.stream().mapToLong(Long::longValue).max().orElseThrow());
        assertTrue(owner.stream().allMatch(d -> d % 10 == 0));
        assertEquals(201, other.size());
        assertEquals(0L, other.stream().mapToLong(Long::longValue).min().orElseThrow());
        assertEquals(2000L, other.stream().mapToLong(Long::longValue).max().orElseThrow());
        assertTrue(other.stream().allMatch(d -> d % 10 == 0));
    }
}
