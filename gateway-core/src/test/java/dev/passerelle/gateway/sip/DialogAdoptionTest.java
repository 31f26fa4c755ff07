package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.SipTestSupport.SDP;
import static dev.passerelle.gateway.sip.SipTestSupport.SDP2;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static dev.passerelle.gateway.sip.SipTestSupport.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.SipDialog;
import dev.passerelle.sipstack.SipStackSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A confirmed dialog held by node A is snapshotted, then taken over by node B (RFC 3261 §14
 * re-INVITE as a target refresh) or ended by B from the snapshot, against a raw SIP phone over UDP
 * on loopback. Node A stays up but the phone never talks to it again, as if it had died; it is
 * stopped after the phone's socket is closed, so its own BYE reaches nobody.
 */
class DialogAdoptionTest {

    /** Timer B = 64*T1 = 1.28 s for the tests where the phone stays silent. */
    private static final Duration SHORT_T1 = Duration.ofMillis(20);
    private static final String NEAR = "<sip:127.0.0.1:%d;lr;n=near>";
    private static final String FAR = "<sip:127.0.0.1:9;lr;n=far>";

    enum Kind { OUTBOUND, INBOUND }

    /** A call confirmed on node A: the gateway call id and A's snapshot of its dialog. */
    record Call(String id, SipDialog snapshot) {
    }

    private static final RecordingEvents eventsA = new RecordingEvents();
    private static final RecordingEvents eventsB = new RecordingEvents();
    private static JainSipService a;
    private static JainSipService b;
    private static RawSipPeer phone;

    @BeforeAll
    static void start() throws Exception {
        a = node("adopt-a", SipContext.DEFAULT_T1, eventsA);
        b = node("adopt-b", SipContext.DEFAULT_T1, eventsB);
        phone = new RawSipPeer(a.port());
    }

    @AfterAll
    static void stop() throws Exception {
        phone.close();
        b.stop(Duration.ofSeconds(1));
        a.stop(Duration.ZERO);
    }

    @BeforeEach
    void clean() {
        phone.drain();
        eventsA.events.clear();
        eventsB.events.clear();
    }

    @AfterEach
    void nothingLeftOnB() {
        assertTrue(SipTestSupport.until(() -> b.legCount() == 0, WAIT), "B still holds legs");
        assertEquals(0, b.listenerFailures());
    }

    private static JainSipService node(String name, Duration t1, RecordingEvents events) {
        JainSipService s = new JainSipService(SipTestSupport.config(Optional.empty()),
                SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).stackName(name).build(), t1);
        s.setEvents(events);
        s.start();
        return s;
    }

    // ---- the snapshot -----------------------------------------------------------------------

    @Test
    void snapshotOfAnOutboundDialog() throws Exception {
        Call call = outbound(false);
        SipDialog d = call.snapshot();
        assertEquals("\"Alice Web\" <sip:alice@gw.test>", d.localParty());
        assertEquals("<" + phoneUri() + ">", d.remoteParty());
        assertEquals("ph1", d.remoteTag());
        assertEquals(1, d.localCseq());
        assertEquals(0, d.remoteCseq());
        assertEquals(List.of(), d.routeSet());
        assertEquals("sip:peer@127.0.0.1:" + phone.port(), d.remoteTarget());
        assertEquals("udp", d.transport());
        assertEquals(SDP, d.localSdp());
        assertEquals(SDP2, d.remoteSdp());
    }

    @Test
    void snapshotOfAnInboundDialogOnlyOnceAcked() throws Exception {
        Call call = inbound(false);
        SipDialog d = call.snapshot();
        assertEquals("c1", d.remoteTag());
        assertEquals("\"Carol\" <sip:carol@pstn.test>", d.remoteParty());
        assertEquals("<sip:web@127.0.0.1:" + a.port() + ">", d.localParty());
        assertEquals(0, d.localCseq());
        assertEquals(1, d.remoteCseq());
        assertEquals("sip:peer@127.0.0.1:" + phone.port() + ";transport=udp", d.remoteTarget());
        assertEquals(SDP2, d.localSdp());
        assertEquals(SDP, d.remoteSdp());
        assertEquals(Optional.empty(), a.dialog("no-such-call"));
    }

    // ---- adoption ---------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void adoptedThenThePhoneHangsUpAtTheNewNode(Kind kind) throws Exception {
        Call call = kind == Kind.OUTBOUND ? outbound(false) : inbound(false);
        SipDialog d = call.snapshot();
        SipText reInvite = adopt(call);

        // A session refresh from the phone now reaches B, which answers with the same session.
        String bUri = SipText.uriOf(reInvite.header("Contact"));
        String from = d.remoteParty() + ";tag=" + d.remoteTag();
        String to = d.localParty() + ";tag=" + d.localTag();
        long phoneCseq = d.remoteCseq() + 1;
        phone.sendTo(b.port(), SipTestSupport.request("INVITE", bUri, phone.port(), "UDP", d.sipCallId(), from, to,
                (int) phoneCseq, "", d.remoteSdp()));
        SipText refresh = phone.expect(m -> m.isResponse(200, "INVITE") && m.header("CSeq").startsWith(phoneCseq + " "),
                WAIT, "200 to the phone's refresh");
        assertEquals(d.localSdp(), refresh.body());
        assertTrue(refresh.header("Contact").contains(":" + b.port()), refresh.header("Contact"));
        phone.sendTo(b.port(), SipTestSupport.request("ACK", bUri, phone.port(), "UDP", d.sipCallId(), from, to,
                (int) phoneCseq, "", null));

        // In-dialog OPTIONS are answered; a request older than the last one is out of order (§12.2.2).
        phone.sendTo(b.port(), SipTestSupport.request("OPTIONS", bUri, phone.port(), "UDP", d.sipCallId(), from, to,
                (int) phoneCseq + 1, "", null));
        phone.expect(m -> m.isResponse(200, "OPTIONS"), WAIT, "200 to in-dialog OPTIONS");
        phone.sendTo(b.port(), SipTestSupport.request("BYE", bUri, phone.port(), "UDP", d.sipCallId(), from, to,
                (int) phoneCseq - 1, "", null));
        phone.expect(m -> m.isResponse(500, "BYE"), WAIT, "500 to an out-of-order BYE");

        // A BYE with a wrong tag is stray; the right one ends the leg at B.
        phone.sendTo(b.port(), SipTestSupport.request("BYE", bUri, phone.port(), "UDP", d.sipCallId(), from,
                d.localParty() + ";tag=other", (int) phoneCseq + 1, "", null));
        phone.expect(m -> m.isResponse(481, "BYE"), WAIT, "481 to a stray BYE");
        phone.sendTo(b.port(), SipTestSupport.request("BYE", bUri, phone.port(), "UDP", d.sipCallId(), from, to,
                (int) phoneCseq + 1, "", null));
        phone.expect(m -> m.isResponse(200, "BYE"), WAIT, "200 to the BYE");
        assertEquals("remoteBye " + call.id(), eventsB.next(WAIT));
        assertEquals(0, b.legCount());
        assertEquals(Optional.empty(), b.dialog(call.id()));
        assertNull(eventsA.events.poll(), "node A hears nothing of it");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void adoptedThenTheNewNodeHangsUp(Kind kind) throws Exception {
        Call call = kind == Kind.OUTBOUND ? outbound(false) : inbound(false);
        SipDialog d = call.snapshot();
        SipText reInvite = adopt(call);

        b.bye(call.id());
        SipText bye = phone.expect(m -> "BYE".equals(m.method()) && fromNode(m, b), WAIT, "BYE from B");
        assertEquals("BYE sip:peer2@127.0.0.1:" + phone.port() + " SIP/2.0", bye.firstLine(),
                "the target the 2xx's Contact named (RFC 3261 §12.2.1.2)");
        assertEquals(d.localTag(), SipText.tag(bye.header("From")));
        assertEquals(d.remoteTag(), SipText.tag(bye.header("To")));
        assertEquals(d.sipCallId(), bye.callId());
        assertEquals((d.localCseq() + 2) + " BYE", bye.header("CSeq"));
        assertNotEquals(reInvite.header("Via"), bye.header("Via"));
        phone.sendTo(b.port(), SipTestSupport.response(bye, 200, "OK", null, phone.port(), null));
        assertTrue(SipTestSupport.until(() -> b.legCount() == 0, WAIT));
        assertNull(eventsB.events.poll(), "no event for a leg B ended itself");
    }

    @Test
    void stopEndsAnAdoptedLegWithBye() throws Exception {
        RecordingEvents events = new RecordingEvents();
        JainSipService c = node("adopt-stop", SipContext.DEFAULT_T1, events);
        try {
            Call call = outbound(false);
            adopt(c, events, call);
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> c.stop(WAIT));
            SipText bye = phone.expect(m -> "BYE".equals(m.method()) && fromNode(m, c), WAIT, "BYE from C's stop");
            assertEquals((call.snapshot().localCseq() + 2) + " BYE", bye.header("CSeq"));
            phone.sendTo(c.port(), SipTestSupport.response(bye, 200, "OK", null, phone.port(), null));
            stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, c.legCount());
            assertNull(events.events.poll());
        } finally {
            c.stop(Duration.ofSeconds(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void recordRoutedDialogKeepsItsRouteSetInOrder(Kind kind) throws Exception {
        Call call = kind == Kind.OUTBOUND ? outbound(true) : inbound(true);
        String near = NEAR.formatted(phone.port());
        // UAC: the 2xx's Record-Route reversed (RFC 3261 §12.1.2); UAS: the INVITE's in order (§12.1.1).
        assertEquals(List.of(near, FAR), call.snapshot().routeSet());
        SipText reInvite = adopt(call);
        assertEquals(List.of(near, FAR), routes(reInvite));
        assertEquals("INVITE " + call.snapshot().remoteTarget() + " SIP/2.0", reInvite.firstLine(),
                "loose routing keeps the remote target as Request-URI");
        b.bye(call.id());
        SipText bye = phone.expect(m -> "BYE".equals(m.method()) && fromNode(m, b), WAIT, "BYE from B");
        assertEquals(List.of(near, FAR), routes(bye));
        phone.sendTo(b.port(), SipTestSupport.response(bye, 200, "OK", null, phone.port(), null));
        assertTrue(SipTestSupport.until(() -> b.legCount() == 0, WAIT));
    }

    @Test
    void reInviteAnswered481LeavesNothing() throws Exception {
        Call call = outbound(false);
        CompletionStage<Void> adoption = b.adopt(call.id(), call.snapshot());
        SipText reInvite = phone.expect(m -> "INVITE".equals(m.method()) && fromNode(m, b), WAIT, "re-INVITE");
        phone.sendTo(b.port(), SipTestSupport.response(reInvite, 481, "Call/Transaction Does Not Exist", null,
                phone.port(), null));
        assertEquals(ErrorCode.CALL_DOES_NOT_EXIST, failure(adoption).code());
        assertEquals(0, b.legCount());
        assertNull(phone.poll(m -> "BYE".equals(m.method()), Duration.ofMillis(300)), "no BYE for a gone dialog");
        assertNull(eventsB.events.poll());
    }

    @Test
    void reInviteRefusedEndsTheDialogWithBye() throws Exception {
        Call call = inbound(false);
        CompletionStage<Void> adoption = b.adopt(call.id(), call.snapshot());
        SipText reInvite = phone.expect(m -> "INVITE".equals(m.method()) && fromNode(m, b), WAIT, "re-INVITE");
        phone.sendTo(b.port(), SipTestSupport.response(reInvite, 488, "Not Acceptable Here", null, phone.port(), null));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, failure(adoption).code());
        SipText bye = phone.expect(m -> "BYE".equals(m.method()) && fromNode(m, b), WAIT, "BYE after the 488");
        assertEquals((call.snapshot().localCseq() + 2) + " BYE", bye.header("CSeq"));
        assertEquals("BYE " + call.snapshot().remoteTarget() + " SIP/2.0", bye.firstLine(),
                "still the old target: the phone never accepted B's");
        phone.sendTo(b.port(), SipTestSupport.response(bye, 200, "OK", null, phone.port(), null));
        assertTrue(SipTestSupport.until(() -> b.legCount() == 0, WAIT));
        assertNull(eventsB.events.poll());
    }

    @Test
    void silentPhoneFailsTheAdoptionWithTimeout() throws Exception {
        JainSipService fast = node("adopt-fast", SHORT_T1, new RecordingEvents());
        try {
            Call call = outbound(false);
            CompletionStage<Void> adoption = fast.adopt(call.id(), call.snapshot());
            phone.expect(m -> "INVITE".equals(m.method()) && fromNode(m, fast), WAIT, "re-INVITE");
            assertEquals(ErrorCode.TIMEOUT, failure(adoption).code());
            assertEquals(0, fast.legCount());
            assertNull(phone.poll(m -> "BYE".equals(m.method()) && fromNode(m, fast), Duration.ofMillis(300)));
        } finally {
            fast.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void adoptionRefusesWhatItCannotHold() throws Exception {
        Call call = outbound(false);
        SipDialog noSdp = new SipDialog(call.snapshot().sipCallId(), call.snapshot().localTag(),
                call.snapshot().remoteTag(), call.snapshot().localParty(), call.snapshot().remoteParty(), 1, 0,
                List.of(), call.snapshot().remoteTarget(), "udp", null, null);
        assertEquals(ErrorCode.INVALID_PARAMS, failure(b.adopt("x", noSdp)).code());
        SipDialog badTarget = new SipDialog(call.snapshot().sipCallId(), call.snapshot().localTag(),
                call.snapshot().remoteTag(), call.snapshot().localParty(), call.snapshot().remoteParty(), 1, 0,
                List.of(), "sip:peer@exa mple.com", "udp", SDP, null);
        assertEquals(ErrorCode.INVALID_PARAMS, failure(b.adopt("y", badTarget)).code());
        assertEquals(ErrorCode.INVALID_PARAMS, failure(b.adopt("z", withTransport(call.snapshot(), "sctp"))).code());
        assertEquals(0, b.legCount());
        // The call id of a leg A still holds.
        assertEquals(ErrorCode.BAD_REQUEST, failure(a.adopt(call.id(), call.snapshot())).code());
    }

    // ---- end ---------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void endSendsOneByeFromTheSnapshot(Kind kind) throws Exception {
        Call call = kind == Kind.OUTBOUND ? outbound(true) : inbound(false);
        SipDialog d = call.snapshot();
        b.end(call.id(), d);
        SipText bye = phone.expect(m -> "BYE".equals(m.method()) && fromNode(m, b), WAIT, "BYE from B");
        assertEquals("BYE " + d.remoteTarget() + " SIP/2.0", bye.firstLine());
        assertEquals(d.localTag(), SipText.tag(bye.header("From")));
        assertEquals(d.remoteTag(), SipText.tag(bye.header("To")));
        assertEquals(d.sipCallId(), bye.callId());
        assertEquals((d.localCseq() + 1) + " BYE", bye.header("CSeq"));
        assertEquals(d.routeSet(), routes(bye));
        phone.sendTo(b.port(), SipTestSupport.response(bye, 200, "OK", null, phone.port(), null));
        assertTrue(SipTestSupport.until(() -> b.legCount() == 0, WAIT));
        assertNull(eventsB.events.poll(), "end() reports nothing");
    }

    @Test
    void endTowardsASilentPhoneNeitherThrowsNorLingers() throws Exception {
        RecordingEvents events = new RecordingEvents();
        JainSipService fast = node("end-fast", SHORT_T1, events);
        try {
            Call call = outbound(false);
            fast.end(call.id(), call.snapshot());
            phone.expect(m -> "BYE".equals(m.method()) && fromNode(m, fast), WAIT, "BYE");
            assertTrue(SipTestSupport.until(() -> fast.legCount() == 0, WAIT), "the leg ends with Timer F");
            assertNull(events.events.poll());
        } finally {
            fast.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void endThroughAStrictRouter() throws Exception {
        Call call = outbound(false);
        SipDialog d = call.snapshot();
        String strict = "<sip:127.0.0.1:" + phone.port() + ";n=strict>";
        SipDialog routed = new SipDialog(d.sipCallId(), d.localTag(), d.remoteTag(), d.localParty(), d.remoteParty(),
                d.localCseq(), d.remoteCseq(), List.of(strict, FAR), d.remoteTarget(), d.transport(), d.localSdp(),
                d.remoteSdp());
        b.end(call.id(), routed);
        SipText bye = phone.expect(m -> "BYE".equals(m.method()) && fromNode(m, b), WAIT, "BYE via the strict router");
        // RFC 3261 §12.2.1.1: the strict router's URI is the Request-URI, the remote target the last Route.
        assertEquals("BYE sip:127.0.0.1:" + phone.port() + ";n=strict SIP/2.0", bye.firstLine());
        assertEquals(List.of(FAR, "<" + d.remoteTarget() + ">"), routes(bye));
        phone.sendTo(b.port(), SipTestSupport.response(bye, 200, "OK", null, phone.port(), null));
        assertTrue(SipTestSupport.until(() -> b.legCount() == 0, WAIT));
    }

    @Test
    void endRefusesABadSnapshotAndATakenCallId() throws Exception {
        Call call = outbound(false);
        GatewayException bad = assertThrows(GatewayException.class,
                () -> b.end("x", withTransport(call.snapshot(), "sctp")));
        assertEquals(ErrorCode.INVALID_PARAMS, bad.code());
        GatewayException taken = assertThrows(GatewayException.class, () -> a.end(call.id(), call.snapshot()));
        assertEquals(ErrorCode.BAD_REQUEST, taken.code());
        assertEquals(0, b.legCount());
    }

    // ---- helpers -----------------------------------------------------------------------------

    private SipText adopt(Call call) throws Exception {
        return adopt(b, eventsB, call);
    }

    /** {@code node} adopts the call: checks the re-INVITE, answers it 200 with a new Contact, checks the ACK. */
    private SipText adopt(JainSipService node, RecordingEvents events, Call call) throws Exception {
        SipDialog d = call.snapshot();
        CompletionStage<Void> adoption = node.adopt(call.id(), d);
        SipText reInvite = phone.expect(m -> "INVITE".equals(m.method()) && fromNode(m, node), WAIT, "re-INVITE from the new node");
        assertEquals("INVITE " + d.remoteTarget() + " SIP/2.0", reInvite.firstLine());
        assertEquals(d.sipCallId(), reInvite.callId());
        assertEquals(d.localTag(), SipText.tag(reInvite.header("From")));
        assertEquals(d.remoteTag(), SipText.tag(reInvite.header("To")));
        assertEquals((d.localCseq() + 1) + " INVITE", reInvite.header("CSeq"));
        assertEquals("<sip:127.0.0.1:" + node.port() + ";transport=udp>", reInvite.header("Contact"));
        assertEquals(d.routeSet(), routes(reInvite));
        assertEquals(d.localSdp(), reInvite.body(), "the same session, the same o= version (RFC 3264 §8)");
        assertEquals(Optional.empty(), node.dialog(call.id()), "no snapshot while the re-INVITE is out");

        String ok = SipTestSupport.response(reInvite, 200, "OK", null, phone.port(), d.remoteSdp())
                .replace("Contact: <sip:peer@", "Contact: <sip:peer2@");
        phone.sendTo(node.port(), ok);
        SipText ack = phone.expect(m -> "ACK".equals(m.method()) && fromNode(m, node), WAIT, "ACK of the 2xx");
        assertEquals("ACK sip:peer2@127.0.0.1:" + phone.port() + " SIP/2.0", ack.firstLine());
        assertEquals((d.localCseq() + 1) + " ACK", ack.header("CSeq"));
        assertEquals(d.routeSet(), routes(ack));
        assertNotEquals(SipText.branchOf(reInvite.header("Via")), SipText.branchOf(ack.header("Via")),
                "the ACK of a 2xx is a transaction of its own (RFC 3261 §13.2.2.4)");
        adoption.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // A retransmitted 2xx is ACKed again.
        phone.sendTo(node.port(), ok);
        phone.expect(m -> "ACK".equals(m.method()) && fromNode(m, node), WAIT, "ACK of the retransmitted 2xx");

        SipDialog held = node.dialog(call.id()).orElseThrow();
        assertEquals("sip:peer2@127.0.0.1:" + phone.port(), held.remoteTarget());
        assertEquals(d.localCseq() + 1, held.localCseq());
        assertEquals(d.routeSet(), held.routeSet());
        assertEquals(d.localTag(), held.localTag());
        assertNull(events.events.poll(), "the stage is the outcome, no event");
        return reInvite;
    }

    /** A→phone, answered 200 (with Record-Route when {@code routed}) and ACKed by A. */
    private Call outbound(boolean routed) throws Exception {
        String id = UUID.randomUUID().toString();
        a.invite(new OutboundInvite(id, "sip:alice@gw.test", "Alice Web", phoneUri(), SDP, Map.of()));
        SipText invite = phone.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE from A");
        String ok = SipTestSupport.response(invite, 200, "OK", "ph1", phone.port(), SDP2);
        if (routed) {
            ok = withHeader(ok, "Record-Route: " + FAR + ", " + NEAR.formatted(phone.port()));
        }
        phone.send(ok);
        phone.expect(m -> "ACK".equals(m.method()), WAIT, "ACK from A");
        assertEquals("accepted " + id, eventsA.next(WAIT));
        SipDialog d = a.dialog(id).orElseThrow();
        assertEquals(invite.callId(), d.sipCallId());
        assertEquals(SipText.tag(invite.header("From")), d.localTag());
        return new Call(id, d);
    }

    /** Phone→A, answered by A and ACKed by the phone (with Record-Route when {@code routed}). */
    private Call inbound(boolean routed) throws Exception {
        String sipCallId = UUID.randomUUID().toString();
        String uri = "sip:web@127.0.0.1:" + a.port();
        String from = "\"Carol\" <sip:carol@pstn.test>;tag=c1";
        String extra = routed ? "Record-Route: " + NEAR.formatted(phone.port()) + ", " + FAR + "\r\n" : "";
        phone.send(SipTestSupport.request("INVITE", uri, phone.port(), "UDP", sipCallId, from, "<" + uri + ">", 1,
                extra, SDP));
        InboundInvite in = eventsA.nextInvite(WAIT);
        a.answer(in.callId(), SDP2);
        SipText ok = phone.expect(m -> m.isResponse(200, "INVITE"), WAIT, "200 from A");
        assertEquals(Optional.empty(), a.dialog(in.callId()), "not confirmed before the ACK");
        phone.send(SipTestSupport.request("ACK", SipText.uriOf(ok.header("Contact")), phone.port(), "UDP", sipCallId,
                from, ok.header("To"), 1, "", null));
        assertEquals("confirmed " + in.callId(), eventsA.next(WAIT));
        SipDialog d = a.dialog(in.callId()).orElseThrow();
        assertEquals(sipCallId, d.sipCallId());
        assertEquals(SipText.tag(ok.header("To")), d.localTag());
        return new Call(in.callId(), d);
    }

    private String phoneUri() {
        return "sip:bob@127.0.0.1:" + phone.port();
    }

    private static boolean fromNode(SipText m, JainSipService node) {
        String via = m.header("Via");
        return via != null && via.contains("127.0.0.1:" + node.port() + ";");
    }

    /** The Route values in order, whether on one line or several (RFC 3261 §7.3.1). */
    private static List<String> routes(SipText m) {
        return m.all("Route").stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::trim).toList();
    }

    private static String withHeader(String message, String header) {
        return message.replace("Content-Length:", header + "\r\nContent-Length:");
    }

    private static SipDialog withTransport(SipDialog d, String transport) {
        return new SipDialog(d.sipCallId(), d.localTag(), d.remoteTag(), d.localParty(), d.remoteParty(),
                d.localCseq(), d.remoteCseq(), d.routeSet(), d.remoteTarget(), transport, d.localSdp(), d.remoteSdp());
    }
}
