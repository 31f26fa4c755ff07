package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.RegisteredPeer.AOR;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static dev.passerelle.gateway.sip.SipTestSupport.cseq;
import static dev.passerelle.gateway.sip.SipTestSupport.failure;
import static dev.passerelle.gateway.sip.SipTestSupport.param;
import static dev.passerelle.gateway.sip.SipTestSupport.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.passerelle.gateway.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway as presence subscriber (RFC 6665, RFC 3856) against a scripted presence server that
 * is also the registrar and the outbound proxy: challenges, NOTIFY before and after the 2xx,
 * refresh, removal, and the ends a notifier may choose.
 */
class PresenceSubscriptionTest {

    private static final String BOB = "sip:bob@far.test";

    private JainSipService service;
    private RawSipPeer server;
    private final RecordingEvents events = new RecordingEvents();
    private int notifyCseq = 1;

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.stop(Duration.ofSeconds(1));
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void challengeAnsweredOnceThenNotifiesRefreshAndRemoval() throws Exception {
        startRegistered();
        CompletableFuture<Void> subscribed = service.subscribe("s1", AOR, BOB).toCompletableFuture();
        SipText first = nextSubscribe();
        assertEquals("SUBSCRIBE " + BOB + " SIP/2.0", first.firstLine());
        assertEquals("presence", first.header("Event"));
        assertEquals("application/pidf+xml", first.header("Accept"));
        assertEquals("3600", first.header("Expires"));
        assertEquals(AOR, SipText.uriOf(first.header("From")));
        assertNull(SipText.tag(first.header("To")));
        assertTrue(first.header("Route").contains("127.0.0.1:" + server.port()), first.header("Route"));
        server.send(with(SipTestSupport.response(first, 407, "Proxy Authentication Required", "x1", server.port(), null),
                "Proxy-Authenticate: Digest realm=\"ims.test\", nonce=\"p1\", qop=\"auth\"\r\n"));

        SipText answered = nextSubscribe();
        assertEquals(first.callId(), answered.callId());
        assertEquals(SipText.tag(first.header("From")), SipText.tag(answered.header("From")));
        assertEquals(cseq(first) + 1, cseq(answered));
        assertEquals("p1", param(answered, "nonce"));
        Digest.Challenge c = new Digest.Challenge("ims.test", "p1", null, Digest.Algorithm.MD5, List.of("auth"), false);
        assertEquals(Digest.answer(c, "alice@ims.test", "pw", "SUBSCRIBE", BOB, param(answered, "cnonce"), 1).response(),
                param(answered, "response"));

        // RFC 6665 §4.1.2.4: the first NOTIFY may overtake the 2xx.
        SipText ok = notifyAndWait(answered, "n1", "active;expires=3600", PidfTest.pidf("open", null, null));
        assertEquals(200, ok.status());
        assertEquals("presence s1 available", events.next(WAIT));
        server.send(with(SipTestSupport.response(answered, 200, "OK", "n1", server.port(), null), "Expires: 2\r\n"));
        subscribed.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // 2 s granted: refreshed in the dialog, towards the notifier's Contact, before it runs out.
        long t0 = System.nanoTime();
        SipText refresh = nextSubscribe();
        long after = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(after < 1_900, "refreshed after " + after + " ms");
        assertEquals("SUBSCRIBE sip:peer@127.0.0.1:" + server.port() + " SIP/2.0", refresh.firstLine());
        assertEquals(first.callId(), refresh.callId());
        assertEquals("n1", SipText.tag(refresh.header("To")));
        assertEquals(cseq(answered) + 1, cseq(refresh));
        server.send(with(SipTestSupport.response(refresh, 200, "OK", "n1", server.port(), null), "Expires: 600\r\n"));

        assertEquals(200, notifyAndWait(answered, "n1", "active", PidfTest.pidf("open", "on-the-phone", "On a call"))
                .status());
        assertEquals("presence s1 busy On a call", events.next(WAIT));
        // A malformed document is refused, and the subscription stays.
        assertEquals(400, notifyAndWait(answered, "n1", "active", "<presence").status());
        assertEquals(415, notify(answered, "n1", "active", "hello", "text/plain").status());
        assertEquals(200, notifyAndWait(answered, "n1", "active", PidfTest.pidf("closed", null, null)).status());
        assertEquals("presence s1 offline", events.next(WAIT));

        service.unsubscribe("s1");
        SipText removal = nextSubscribe();
        assertEquals("0", removal.header("Expires"));
        assertEquals("n1", SipText.tag(removal.header("To")));
        assertEquals(first.callId(), removal.callId());
        server.send(SipTestSupport.response(removal, 200, "OK", "n1", server.port(), null));
        // RFC 6665 §4.1.2.3: the notifier's last NOTIFY is still answered 200, and reported to no one.
        assertEquals(200, notifyAndWait(answered, "n1", "terminated;reason=timeout", null).status());
        assertNull(events.events.poll(300, TimeUnit.MILLISECONDS), "nothing after unsubscribe");
        assertNull(server.poll(m -> "SUBSCRIBE".equals(m.method()), Duration.ofMillis(300)), "no re-subscription");
    }

    @Test
    void aSecondChallengeFailsTheSubscriptionWithItsCode() throws Exception {
        startRegistered();
        CompletableFuture<Void> subscribed = service.subscribe("s2", AOR, BOB).toCompletableFuture();
        SipText first = nextSubscribe();
        server.send(with(SipTestSupport.response(first, 407, "Proxy Authentication Required", "x1", server.port(), null),
                "Proxy-Authenticate: Digest realm=\"ims.test\", nonce=\"p1\"\r\n"));
        SipText again = nextSubscribe();
        server.send(with(SipTestSupport.response(again, 407, "Proxy Authentication Required", "x2", server.port(), null),
                "Proxy-Authenticate: Digest realm=\"ims.test\", nonce=\"p2\"\r\n"));
        assertEquals(ErrorCode.PROXY_AUTHENTICATION_REQUIRED, failure(subscribed).code());
        assertNull(server.poll(m -> "SUBSCRIBE".equals(m.method()), Duration.ofMillis(500)), "answered once only");

        // Other final responses fail it with their code; the id may then be used again.
        CompletableFuture<Void> refused = service.subscribe("s2", AOR, BOB).toCompletableFuture();
        server.send(SipTestSupport.response(nextSubscribe(), 404, "Not Found", "x3", server.port(), null));
        assertEquals(ErrorCode.NOT_FOUND, failure(refused).code());
    }

    @Test
    void theNotifierEndsTheSubscription() throws Exception {
        startRegistered();
        service.subscribe("s3", AOR, BOB);
        SipText first = nextSubscribe();
        server.send(with(SipTestSupport.response(first, 200, "OK", "n1", server.port(), null), "Expires: 600\r\n"));
        assertEquals(200, notifyAndWait(first, "n1", "active", PidfTest.pidf("open", "away", null)).status());
        assertEquals("presence s3 away", events.next(WAIT));

        // RFC 6665 §4.1.3: deactivated - subscribe again at once, in a new dialog, once.
        assertEquals(200, notifyAndWait(first, "n1", "terminated;reason=deactivated", null).status());
        SipText second = nextSubscribe();
        assertNotEquals(first.callId(), second.callId());
        assertNull(SipText.tag(second.header("To")));
        server.send(with(SipTestSupport.response(second, 200, "OK", "n2", server.port(), null), "Expires: 600\r\n"));
        assertEquals(200, notifyAndWait(second, "n2", "terminated;reason=rejected", null).status());
        assertEquals("presence s3 offline terminated", events.next(WAIT));
        assertNull(server.poll(m -> "SUBSCRIBE".equals(m.method()), Duration.ofMillis(300)), "rejected is final");

        // A NOTIFY of no subscription: 481; of an unknown package: 489 (RFC 6665 §8.3.2.1).
        SipText stranger = SipText.parse(first.raw().replace(first.callId(), "no-such-call"));
        assertEquals(481, notifyAndWait(stranger, "n1", "active", PidfTest.pidf("open", null, null)).status());
        server.send(notifyText(second, "n2", "active", null, null).replace("Event: presence", "Event: dialog"));
        assertEquals(489, server.expect(m -> m.isResponse() && "NOTIFY".equals(m.cseqMethod()), WAIT, "489").status());
        assertNull(events.events.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void removedOnceAnsweredWhenUnsubscribedBeforeAndAtStop() throws Exception {
        startRegistered();
        CompletableFuture<Void> early = service.subscribe("s4", AOR, BOB).toCompletableFuture();
        SipText first = nextSubscribe();
        service.unsubscribe("s4");
        assertEquals(ErrorCode.REQUEST_TERMINATED, failure(early).code());
        assertNull(server.poll(m -> "SUBSCRIBE".equals(m.method()), Duration.ofMillis(300)), "no dialog yet");
        server.send(with(SipTestSupport.response(first, 200, "OK", "n1", server.port(), null), "Expires: 600\r\n"));
        SipText removal = nextSubscribe();
        assertEquals("0", removal.header("Expires"));
        assertEquals("n1", SipText.tag(removal.header("To")));
        server.send(SipTestSupport.response(removal, 200, "OK", "n1", server.port(), null));
        assertNull(events.events.poll(200, TimeUnit.MILLISECONDS));

        service.subscribe("s5", AOR, BOB);
        SipText live = nextSubscribe();
        server.send(with(SipTestSupport.response(live, 200, "OK", "n2", server.port(), null), "Expires: 600\r\n"));
        Thread stopper = new Thread(() -> service.stop(Duration.ofSeconds(2)));
        stopper.start();
        SipText atStop = nextSubscribe();
        assertEquals("0", atStop.header("Expires"));
        assertEquals(live.callId(), atStop.callId());
        server.send(SipTestSupport.response(atStop, 200, "OK", "n2", server.port(), null));
        stopper.join(WAIT.toMillis());
        service = null;
    }

    @Test
    void aNotifierThatRefusesBeforeItsAnswerStillAnswersTheSubscriber() throws Exception {
        startRegistered();
        CompletableFuture<Void> subscribed = service.subscribe("s6", AOR, BOB).toCompletableFuture();
        SipText first = nextSubscribe();
        assertEquals(200, notifyAndWait(first, "n1", "terminated;reason=noresource", null).status());
        subscribed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("presence s6 offline terminated", events.next(WAIT));
        server.send(with(SipTestSupport.response(first, 200, "OK", "n1", server.port(), null), "Expires: 600\r\n"));
        assertNull(server.poll(m -> "SUBSCRIBE".equals(m.method()), Duration.ofMillis(300)), "nothing more sent");
        assertNull(events.events.poll(200, TimeUnit.MILLISECONDS));
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** The peer is registrar and outbound proxy; alice is registered there. */
    private void startRegistered() throws Exception {
        RegisteredPeer registered = RegisteredPeer.start(events, "");
        service = registered.service();
        server = registered.peer();
    }

    private SipText nextSubscribe() throws InterruptedException {
        return server.expect(m -> "SUBSCRIBE".equals(m.method()), WAIT, "SUBSCRIBE");
    }

    private SipText notifyAndWait(SipText subscribe, String notifierTag, String state, String pidf) throws Exception {
        return notify(subscribe, notifierTag, state, pidf, "application/pidf+xml");
    }

    private SipText notify(SipText subscribe, String notifierTag, String state, String body, String type)
            throws Exception {
        String text = notifyText(subscribe, notifierTag, state, body, type);
        String callId = subscribe.callId();
        int cseq = notifyCseq - 1;
        server.send(text);
        return server.expect(m -> m.isResponse() && "NOTIFY".equals(m.cseqMethod()) && callId.equals(m.callId())
                && m.header("CSeq").startsWith(cseq + " "), WAIT, "response to NOTIFY");
    }

    /** A NOTIFY in the subscription's dialog: To is the subscriber's From, From carries our tag. */
    private String notifyText(SipText subscribe, String notifierTag, String state, String body, String type) {
        String b = body == null ? "" : body;
        String contact = SipText.uriOf(subscribe.header("Contact"));
        return "NOTIFY " + contact + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + server.port() + ";branch=" + SipTestSupport.branch() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + BOB + ">;tag=" + notifierTag + "\r\n"
                + "To: " + subscribe.header("From") + "\r\n"
                + "Call-ID: " + subscribe.callId() + "\r\n"
                + "CSeq: " + notifyCseq++ + " NOTIFY\r\n"
                + "Contact: <sip:peer@127.0.0.1:" + server.port() + ">\r\n"
                + "Event: presence\r\n"
                + "Subscription-State: " + state + "\r\n"
                + (body == null ? "" : "Content-Type: " + type + "\r\n")
                + "Content-Length: " + b.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + b;
    }
}
