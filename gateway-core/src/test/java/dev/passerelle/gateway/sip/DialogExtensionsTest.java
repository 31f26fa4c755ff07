package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static dev.passerelle.gateway.sip.SipTestSupport.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reliable provisional responses (RFC 3262), UPDATE (RFC 3311) and session timers (RFC 4028)
 * against a raw SIP peer over UDP. Session timers run with a 4 s interval and a 2 s Min-SE, so
 * that refreshes and expiries happen within a test.
 */
class DialogExtensionsTest {

    private static final Duration SHORT = Duration.ofMillis(700);

    private JainSipService service;
    private RecordingEvents events;
    private RawSipPeer peer;

    @BeforeEach
    void start() throws Exception {
        GatewayConfig.SipConfig base = SipTestSupport.config(Optional.empty());
        GatewayConfig.SipConfig config = base.withSessionTimer(
                new GatewayConfig.SessionTimerConfig(true, Duration.ofSeconds(4), Duration.ofSeconds(2)));
        service = new JainSipService(config);
        events = new RecordingEvents();
        service.setEvents(events);
        service.start();
        peer = new RawSipPeer(service.port());
    }

    @AfterEach
    void stop() throws Exception {
        service.stop(Duration.ofSeconds(2));
        peer.close();
    }

    /** {@code message} with more header lines (each ending CRLF) before its Content-Length. */

    private String callee() {
        return "sip:bob@127.0.0.1:" + peer.port();
    }

    private SipText outboundInvite(String callId) throws InterruptedException {
        service.invite(new OutboundInvite(callId, "sip:alice@gw.test", null, callee(), SDP, Map.of()));
        return peer.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE");
    }

    private String gatewayUri() {
        return "sip:web-bob@127.0.0.1:" + service.port();
    }

    private String inboundInvite(String sipCallId, String extra) {
        return SipTestSupport.request("INVITE", gatewayUri(), peer.port(), "UDP", sipCallId,
                "<sip:carol@pstn.test>;tag=c1", "<" + gatewayUri() + ">", 1, extra, SDP);
    }

    /** A request of the peer within the dialog the 2xx {@code ok} set up on an inbound leg. */
    private String inDialog(String method, SipText ok, int cseq, String extra, String body) {
        return SipTestSupport.request(method, SipText.uriOf(ok.header("Contact")), peer.port(), "UDP", ok.callId(),
                ok.header("From"), ok.header("To"), cseq, extra, body);
    }

    /** An inbound call answered by the application at once and ACKed; returns the 2xx. */
    private SipText answeredInbound(String extra) throws Exception {
        events.onInvite = i -> service.answer(i.callId(), SDP2);
        String sipCallId = UUID.randomUUID().toString();
        peer.send(inboundInvite(sipCallId, extra));
        SipText ok = peer.expect(m -> m.isResponse(200, "INVITE"), WAIT, "200 to the INVITE");
        peer.send(inDialog("ACK", ok, 1, "", null));
        return ok;
    }

    // ---- RFC 3262 ----------------------------------------------------------------------------

    @Test
    void reliable183IsPrackedOnceInOrderAndTheCallConnects() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = outboundInvite(id);
        assertTrue(inv.all("Supported").toString().contains("100rel"), inv.raw());
        assertTrue(inv.all("Supported").toString().contains("timer"), inv.raw());
        assertEquals("4", inv.header("Session-Expires"));
        assertEquals("2", inv.header("Min-SE"));
        assertTrue(inv.all("Allow").toString().contains("PRACK") && inv.all("Allow").toString().contains("UPDATE"),
                inv.raw());

        String reliable183 = with(SipTestSupport.response(inv, 183, "Session Progress", "b1", peer.port(), null),
                "Require: 100rel\r\nRSeq: 7\r\n");
        peer.send(reliable183);
        SipText prack = peer.expect(m -> "PRACK".equals(m.method()), WAIT, "PRACK");
        assertEquals("7 1 INVITE", prack.header("RAck"));
        assertEquals("b1", SipText.tag(prack.header("To")));
        assertEquals("progress " + id + " 183", events.next(WAIT));
        peer.send(SipTestSupport.response(prack, 200, "OK", null, peer.port(), null));

        // A retransmission of the same RSeq is neither PRACKed again nor reported again (§4).
        peer.send(reliable183);
        assertNull(peer.poll(m -> "PRACK".equals(m.method()), SHORT));
        assertNull(events.events.poll());

        peer.send(SipTestSupport.response(inv, 200, "OK", "b1", peer.port(), SDP2));
        peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK");
        assertEquals("accepted " + id, events.next(WAIT));
        service.bye(id);
        SipText bye = peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
        peer.send(SipTestSupport.response(bye, 200, "OK", null, peer.port(), null));
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }

    @Test
    void inviteRequiring100relGetsReliableRingingAndTheAnswerWaitsForThePrack() throws Exception {
        events.onInvite = i -> {
            service.ringing(i.callId());
            service.answer(i.callId(), SDP2);
        };
        String sipCallId = UUID.randomUUID().toString();
        peer.send(inboundInvite(sipCallId, "Require: 100rel\r\nSupported: timer\r\n"));
        SipText ringing = peer.expect(m -> m.isResponse(180, "INVITE"), WAIT, "reliable 180");
        assertTrue(ringing.all("Require").toString().contains("100rel"), ringing.raw());
        String rseq = ringing.header("RSeq");
        assertNotNull(rseq, ringing.raw());
        assertNull(peer.poll(m -> m.isResponse(200, "INVITE"), SHORT), "2xx before the PRACK");

        String toTag = SipText.tag(ringing.header("To"));
        String prack = SipTestSupport.request("PRACK", SipText.uriOf(ringing.header("Contact")), peer.port(),
                "UDP", sipCallId, ringing.header("From"), ringing.header("To"), 2,
                "RAck: " + rseq.trim() + " 1 INVITE\r\n", null);
        peer.send(prack);
        peer.expect(m -> m.isResponse(200, "PRACK"), WAIT, "200 to PRACK");
        SipText ok = peer.expect(m -> m.isResponse(200, "INVITE"), WAIT, "200 to the INVITE");
        assertEquals(toTag, SipText.tag(ok.header("To")));
        assertEquals("4;refresher=uac", ok.header("Session-Expires"));
        assertTrue(ok.all("Require").toString().contains("timer"), ok.raw());
        peer.send(inDialog("ACK", ok, 1, "", null));
        String callId = events.nextInvite(WAIT).callId();
        assertEquals("confirmed " + callId, events.next(WAIT));
        service.bye(callId);
        SipText bye = peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
        peer.send(SipTestSupport.response(bye, 200, "OK", null, peer.port(), null));
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }

    @Test
    void prackOutsideAnyDialogGets481AndSupportedAloneKeepsRingingUnreliable() throws Exception {
        events.onInvite = i -> service.ringing(i.callId());
        String sipCallId = UUID.randomUUID().toString();
        peer.send(inboundInvite(sipCallId, "Supported: 100rel\r\n"));
        SipText ringing = peer.expect(m -> m.isResponse(180, "INVITE"), WAIT, "180");
        // Supported alone keeps the 18x unreliable (the gateway chooses, RFC 3262 §3).
        assertNull(ringing.header("RSeq"), ringing.raw());
        // A PRACK in a dialog the gateway does not know (RFC 3262 §3: 481).
        String otherTo = ringing.header("To").replace(SipText.tag(ringing.header("To")), "unknown");
        peer.send(SipTestSupport.request("PRACK", SipText.uriOf(ringing.header("Contact")), peer.port(), "UDP",
                sipCallId, ringing.header("From"), otherTo, 2, "RAck: 1 1 INVITE\r\n", null));
        peer.expect(m -> m.isResponse(481, "PRACK"), WAIT, "481 to a PRACK outside any dialog");
    }

    // ---- RFC 4028 ----------------------------------------------------------------------------

    @Test
    void a422IsRetriedOnceWithTheMinSeAsked() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = outboundInvite(id);
        peer.send(with(SipTestSupport.response(inv, 422, "Session Interval Too Small", "b1", peer.port(), null),
                "Min-SE: 30\r\n"));
        SipText again = peer.expect(m -> "INVITE".equals(m.method()), WAIT, "the INVITE again");
        assertEquals(inv.callId(), again.callId());
        assertEquals(SipText.tag(inv.header("From")), SipText.tag(again.header("From")));
        assertEquals("2 INVITE", again.header("CSeq"));
        assertEquals("30", again.header("Session-Expires"));
        assertEquals("30", again.header("Min-SE"));
        peer.send(with(SipTestSupport.response(again, 422, "Session Interval Too Small", "b2", peer.port(), null),
                "Min-SE: 60\r\n"));
        assertEquals("failed " + id + " 422 Session Interval Too Small", events.next(WAIT));
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }

    @Test
    void anInviteBelowOurMinSeGets422() throws Exception {
        peer.send(inboundInvite(UUID.randomUUID().toString(), "Session-Expires: 1\r\n"));
        SipText r = peer.expect(m -> m.isResponse(422, "INVITE"), WAIT, "422");
        assertEquals("2", r.header("Min-SE"));
        assertNull(events.invites.poll());
    }

    @Test
    void asRefresherTheGatewaySendsUpdatesAndEndsTheCallWhenARefreshGets481() throws Exception {
        // No Supported: timer from the caller: the gateway is the refresher (RFC 4028 §9).
        SipText ok = answeredInbound("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\r\n");
        assertEquals("4;refresher=uas", ok.header("Session-Expires"));
        assertTrue(!ok.all("Require").toString().contains("timer"), ok.raw());
        String callId = events.nextInvite(WAIT).callId();
        assertEquals("confirmed " + callId, events.next(WAIT));

        long start = System.nanoTime();
        SipText update = peer.expect(m -> "UPDATE".equals(m.method()), WAIT, "refresh UPDATE");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs < 3_000, "refresh after " + elapsedMs + " ms, interval 4 s");
        assertEquals("4;refresher=uac", update.header("Session-Expires"));
        assertEquals("", update.body());
        peer.send(with(SipTestSupport.response(update, 200, "OK", null, peer.port(), null),
                "Session-Expires: 4;refresher=uac\r\n"));

        SipText second = peer.expect(m -> "UPDATE".equals(m.method()), WAIT, "second refresh UPDATE");
        peer.send(SipTestSupport.response(second, 481, "Call/Transaction Does Not Exist", null, peer.port(), null));
        SipText bye = peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE after the failed refresh");
        assertEquals("failed " + callId + " 408 " + SessionTimers.EXPIRED, events.next(WAIT));
        peer.send(SipTestSupport.response(bye, 200, "OK", null, peer.port(), null));
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }

    @Test
    void aRefreshThatGetsNoAnswerEndsTheCallWhenTheSessionWouldExpire() throws Exception {
        SipText ok = answeredInbound("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\r\n");
        assertEquals("4;refresher=uas", ok.header("Session-Expires"));
        String callId = events.nextInvite(WAIT).callId();
        assertEquals("confirmed " + callId, events.next(WAIT));
        peer.expect(m -> "UPDATE".equals(m.method()), WAIT, "refresh UPDATE");
        long sent = System.nanoTime();
        SipText bye = peer.expect(m -> "BYE".equals(m.method()), WAIT,
                "BYE when the unanswered refresh lets the session expire");
        long afterMs = (System.nanoTime() - sent) / 1_000_000;
        assertTrue(afterMs >= 1_500, "BYE " + afterMs + " ms after the refresh, half the 4 s interval expected");
        assertEquals("failed " + callId + " 408 " + SessionTimers.EXPIRED, events.next(WAIT));
        peer.send(SipTestSupport.response(bye, 200, "OK", null, peer.port(), null));
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }

    @Test
    void withoutUpdateTheRefreshIsAReInviteOfTheSameSession() throws Exception {
        String id = UUID.randomUUID().toString();
        SipText inv = outboundInvite(id);
        peer.send(with(SipTestSupport.response(inv, 200, "OK", "b1", peer.port(), SDP2),
                "Session-Expires: 4;refresher=uac\r\nRequire: timer\r\n"));
        peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK");
        assertEquals("accepted " + id, events.next(WAIT));
        SipText reInvite = peer.expect(m -> "INVITE".equals(m.method()), WAIT, "refresh re-INVITE");
        assertEquals("b1", SipText.tag(reInvite.header("To")));
        assertEquals(SDP, reInvite.body());
        assertEquals("4;refresher=uac", reInvite.header("Session-Expires"));
        peer.send(with(SipTestSupport.response(reInvite, 200, "OK", null, peer.port(), SDP2),
                "Session-Expires: 4;refresher=uac\r\n"));
        SipText ack = peer.expect(m -> "ACK".equals(m.method()), WAIT, "ACK of the refresh");
        assertEquals(reInvite.header("CSeq").replace("INVITE", "ACK"), ack.header("CSeq"));
        assertNull(events.events.poll(), "a refresh is no event");
        service.bye(id);
        SipText bye = peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
        peer.send(SipTestSupport.response(bye, 200, "OK", null, peer.port(), null));
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }

    @Test
    void whenThePeerStopsRefreshingTheGatewaySendsBye() throws Exception {
        SipText ok = answeredInbound("Supported: timer\r\nSession-Expires: 4\r\n");
        assertEquals("4;refresher=uac", ok.header("Session-Expires"));
        String callId = events.nextInvite(WAIT).callId();
        assertEquals("confirmed " + callId, events.next(WAIT));

        // One refresh (an UPDATE without SDP) restarts the timer.
        peer.send(inDialog("UPDATE", ok, 2, "Supported: timer\r\nSession-Expires: 4;refresher=uac\r\n", null));
        SipText updated = peer.expect(m -> m.isResponse(200, "UPDATE"), WAIT, "200 to the refresh");
        assertEquals("4;refresher=uac", updated.header("Session-Expires"));
        long refreshed = System.nanoTime();

        SipText bye = peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE on expiry");
        long afterMs = (System.nanoTime() - refreshed) / 1_000_000;
        // RFC 4028 §10: 4 s - min(32 s, 4/3 s) = 2.67 s after the refresh.
        assertTrue(afterMs >= 2_400 && afterMs < 4_000, "BYE " + afterMs + " ms after the refresh");
        assertEquals("failed " + callId + " 408 " + SessionTimers.EXPIRED, events.next(WAIT));
        peer.send(SipTestSupport.response(bye, 200, "OK", null, peer.port(), null));
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }

    @Test
    void withSessionTimersDisabledNothingIsAskedAndRequireTimerIsRefused() throws Exception {
        service.stop(Duration.ofSeconds(2));
        peer.close();
        GatewayConfig.SipConfig base = SipTestSupport.config(Optional.empty());
        service = new JainSipService(base.withSessionTimer(
                new GatewayConfig.SessionTimerConfig(false, Duration.ofSeconds(4), Duration.ofSeconds(2))));
        service.setEvents(events);
        service.start();
        peer = new RawSipPeer(service.port());

        SipText inv = outboundInvite(UUID.randomUUID().toString());
        assertNull(inv.header("Session-Expires"), inv.raw());
        assertTrue(inv.all("Supported").toString().contains("100rel") && !inv.all("Supported").toString().contains("timer"),
                inv.raw());
        peer.send(inboundInvite(UUID.randomUUID().toString(), "Require: timer\r\nSession-Expires: 1\r\n"));
        SipText refused = peer.expect(m -> m.isResponse(420, "INVITE"), WAIT, "420 to Require: timer");
        assertEquals("timer", refused.header("Unsupported"));
    }

    // ---- RFC 3311 ----------------------------------------------------------------------------

    @Test
    void updateBeforeTheAnswerAndNewOffersAfterIt() throws Exception {
        events.onInvite = i -> service.ringing(i.callId());
        String sipCallId = UUID.randomUUID().toString();
        peer.send(inboundInvite(sipCallId, ""));
        SipText ringing = peer.expect(m -> m.isResponse(180, "INVITE"), WAIT, "180");
        String callId = events.nextInvite(WAIT).callId();
        peer.send(inDialog("UPDATE", ringing, 2, "", null));
        peer.expect(m -> m.isResponse(200, "UPDATE"), WAIT, "200 to an early UPDATE without SDP");
        peer.send(inDialog("UPDATE", ringing, 3, "", SDP2));
        SipText pending = peer.expect(m -> m.isResponse(500, "UPDATE"), WAIT, "500 to an early offer");
        assertNotNull(pending.header("Retry-After"), pending.raw());

        service.answer(callId, SDP2);
        SipText ok = peer.expect(m -> m.isResponse(200, "INVITE"), WAIT, "200");
        peer.send(inDialog("ACK", ok, 1, "", null));
        assertEquals("confirmed " + callId, events.next(WAIT));

        // The session in force again: answered with ours, no event.
        peer.send(inDialog("UPDATE", ok, 4, "", SDP));
        SipText same = peer.expect(m -> m.isResponse(200, "UPDATE"), WAIT, "200 to the same session");
        assertEquals(SDP2, same.body());
        assertNull(events.events.poll());

        // A new offer goes to the application: refused (488) by default ...
        String offer = SDP.replace("40000", "40010");
        peer.send(inDialog("UPDATE", ok, 5, "", offer));
        assertEquals("remoteOffer " + callId, events.next(WAIT));
        peer.expect(m -> m.isResponse(488, "UPDATE"), WAIT, "488 to a refused offer");

        // ... and answered with 200 and the answer it completes with.
        String answer = SDP2.replace("40002", "40012");
        events.onOffer = (c, sdp) -> CompletableFuture.supplyAsync(() -> answer);
        peer.send(inDialog("UPDATE", ok, 6, "", offer));
        assertEquals("remoteOffer " + callId, events.next(WAIT));
        SipText accepted = peer.expect(m -> m.isResponse(200, "UPDATE"), WAIT, "200 with the answer");
        assertEquals(answer, accepted.body());

        // While the application has not answered an offer yet, another offer gets 500 with
        // Retry-After (RFC 3311 §5.2); the first is answered when the application completes.
        CompletableFuture<String> slow = new CompletableFuture<>();
        events.onOffer = (c, sdp) -> slow;
        String offer2 = offer.replace("40010", "40020");
        peer.send(inDialog("UPDATE", ok, 7, "", offer2));
        assertEquals("remoteOffer " + callId, events.next(WAIT));
        peer.send(inDialog("UPDATE", ok, 8, "", offer2.replace("40020", "40030")));
        SipText open = peer.expect(m -> m.isResponse(500, "UPDATE"), WAIT, "500 while an offer is open");
        assertNotNull(open.header("Retry-After"), open.raw());
        String answer2 = answer.replace("40012", "40022");
        slow.complete(answer2);
        SipText late = peer.expect(m -> m.isResponse(200, "UPDATE"), WAIT, "200 once the application answered");
        assertEquals(answer2, late.body());
        assertEquals("7 UPDATE", late.header("CSeq"));

        service.bye(callId);
        SipText bye = peer.expect(m -> "BYE".equals(m.method()), WAIT, "BYE");
        peer.send(SipTestSupport.response(bye, 200, "OK", null, peer.port(), null));
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));
    }
}
