package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.RegisteredPeer.AOR;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static dev.passerelle.gateway.sip.SipTestSupport.param;
import static dev.passerelle.gateway.sip.SipTestSupport.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.sipstack.ImsProfile;
import dev.passerelle.sipstack.SipStackSettings;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIP MESSAGE both ways against a raw peer (RFC 3428): the outcome of an outgoing MESSAGE (2xx,
 * failure, a challenge answered once, Timer F) and the one final response of an incoming one.
 */
class MessageTest {


    private JainSipService service;
    private RawSipPeer peer;
    private final RecordingEvents events = new RecordingEvents();

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            assertEquals(0, service.listenerFailures());
            service.stop(Duration.ofSeconds(1));
        }
        if (peer != null) {
            peer.close();
        }
    }

    // ---- out ------------------------------------------------------------------------------------

    @Test
    void a2xxIsTheOutcomeAndTheRequestFollowsRfc3428() throws Exception {
        startPlain(SipContext.DEFAULT_T1);
        CompletionStage<Integer> outcome = service.message(new OutboundMessage("sip:alice@gw.test", "Alice",
                target(), "text/plain;charset=UTF-8", "héllo"));
        SipText m = nextMessage();
        assertEquals("MESSAGE " + target() + " SIP/2.0", m.firstLine());
        assertNull(m.header("Contact"), "RFC 3428 §4: no Contact");
        assertEquals("text/plain;charset=UTF-8", m.header("Content-Type").replace(" ", ""));
        assertEquals("héllo", m.body());
        assertEquals("héllo".getBytes(StandardCharsets.UTF_8).length, Integer.parseInt(m.header("Content-Length")));
        assertTrue(m.header("From").contains("<sip:alice@gw.test>;tag="), m.header("From"));
        assertNull(SipText.tag(m.header("To")));
        assertEquals("1 MESSAGE", m.header("CSeq"));
        assertFalse(outcome.toCompletableFuture().isDone());
        peer.send(SipTestSupport.response(m, 202, "Accepted", "t1", peer.port(), null));
        assertEquals(202, outcome.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

        CompletionStage<Integer> busy = service.message(new OutboundMessage("sip:alice@gw.test", null, target(),
                "application/json", "{}"));
        SipText second = nextMessage();
        assertFalse(second.callId().equals(m.callId()), "a new Call-ID per MESSAGE");
        peer.send(SipTestSupport.response(second, 486, "Busy Here", "t2", peer.port(), null));
        assertEquals(486, busy.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aBodyOverTheUdpLimitGoesAsTheTargetSays() throws Exception {
        startPlain(SipContext.DEFAULT_T1);
        String big = "x".repeat(4000);
        CompletionStage<Integer> outcome = service.message(new OutboundMessage("sip:alice@gw.test", null, target(),
                "text/plain", big));
        SipText m = nextMessage();
        assertEquals(big, m.body());
        peer.send(SipTestSupport.response(m, 200, "OK", "t", peer.port(), null));
        assertEquals(200, outcome.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aHopThatRefusesTheConnectionIs503() throws Exception {
        startPlain(SipContext.DEFAULT_T1);
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CompletionStage<Integer> outcome = service.message(new OutboundMessage("sip:alice@gw.test", null,
                "sip:bob@127.0.0.1:" + closed + ";transport=tcp", "text/plain", "x"));
        assertEquals(503, outcome.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void noFinalResponseIs408() throws Exception {
        startPlain(Duration.ofMillis(50));
        CompletionStage<Integer> outcome = service.message(new OutboundMessage("sip:alice@gw.test", null, target(),
                "text/plain", "anyone?"));
        nextMessage();
        // Timer F is 64*T1 = 3.2 s here.
        assertEquals(408, outcome.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aTargetTheGatewayCannotReachIsRefusedAtOnce() throws Exception {
        startPlain(SipContext.DEFAULT_T1);
        GatewayException e = assertThrows(GatewayException.class, () -> service.message(new OutboundMessage(
                "sip:alice@gw.test", null, "tel:+15551234", "text/plain", "x")));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    @Test
    void aChallengeIsAnsweredOnceWithTheSendersRegistrationAndASecondFails() throws Exception {
        startRegistered();
        CompletionStage<Integer> outcome = service.message(new OutboundMessage(AOR, "Alice", "sip:bob@far.test",
                "text/plain", "hi bob"));
        SipText first = nextMessage();
        assertEquals(List.of("<sip:127.0.0.1:" + peer.port() + ";lr>", "<sip:orig@127.0.0.1:" + peer.port() + ";lr>"),
                first.all("Route").stream().flatMap(r -> List.of(r.split(",\\s*")).stream()).toList(),
                "outbound proxy, then the Service-Route");
        assertNull(first.header("Proxy-Authorization"));
        peer.send(with(SipTestSupport.response(first, 407, "Proxy Authentication Required", "p1", peer.port(), null),
                "Proxy-Authenticate: Digest realm=\"ims.test\", nonce=\"m1\", qop=\"auth\"\r\n"));

        SipText answered = nextMessage();
        assertEquals(first.callId(), answered.callId());
        assertEquals("2 MESSAGE", answered.header("CSeq"));
        assertEquals(SipText.tag(first.header("From")), SipText.tag(answered.header("From")));
        assertEquals("hi bob", answered.body());
        Digest.Challenge md5 = new Digest.Challenge("ims.test", "m1", null, Digest.Algorithm.MD5, List.of("auth"), false);
        assertEquals(Digest.answer(md5, "alice@ims.test", "pw", "MESSAGE", "sip:bob@far.test",
                param(answered, "cnonce"), 1).response(), param(answered, "response"));
        assertFalse(outcome.toCompletableFuture().isDone());

        peer.send(with(SipTestSupport.response(answered, 407, "Proxy Authentication Required", "p1", peer.port(), null),
                "Proxy-Authenticate: Digest realm=\"ims.test\", nonce=\"m2\", qop=\"auth\", stale=true\r\n"));
        assertEquals(407, outcome.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertNull(peer.poll(m -> "MESSAGE".equals(m.method()), Duration.ofMillis(500)), "answered once only");

        // Answered, then accepted.
        CompletionStage<Integer> again = service.message(new OutboundMessage(AOR, null, "sip:bob@far.test",
                "text/plain", "again"));
        SipText challenged = nextMessage();
        peer.send(with(SipTestSupport.response(challenged, 401, "Unauthorized", "p2", peer.port(), null),
                "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"m3\"\r\n"));
        SipText withAuth = nextMessage();
        assertTrue(withAuth.header("Authorization").startsWith("Digest "), withAuth.header("Authorization"));
        peer.send(SipTestSupport.response(withAuth, 200, "OK", "p2", peer.port(), null));
        assertEquals(200, again.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aSenderWithoutRegistrationHereFailsWithTheChallenge() throws Exception {
        startRegistered();
        CompletionStage<Integer> outcome = service.message(new OutboundMessage("sip:carol@ims.test", null,
                "sip:bob@far.test", "text/plain", "x"));
        SipText m = nextMessage();
        peer.send(with(SipTestSupport.response(m, 407, "Proxy Authentication Required", "c", peer.port(), null),
                "Proxy-Authenticate: Digest realm=\"ims.test\", nonce=\"c1\"\r\n"));
        assertEquals(407, outcome.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    // ---- in -------------------------------------------------------------------------------------

    @Test
    void anIncomingMessageIsReportedAndAnsweredWithTheApplicationsStatus() throws Exception {
        startPlain(SipContext.DEFAULT_T1);
        String request = incoming("bob", "text/plain; charset=ISO-8859-1", "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        peer.send(request.getBytes(StandardCharsets.ISO_8859_1));
        InboundMessage m = events.nextMessage(WAIT);
        assertEquals(new InboundMessage("bob", "gw.test", "sip:carol@phone.test", "text/plain;charset=ISO-8859-1",
                "café"), m);
        assertEquals(200, peer.expect(r -> r.isResponse(), WAIT, "response").status());

        // A retransmission is answered by the transaction, not delivered again.
        peer.send(request.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(200, peer.expect(r -> r.isResponse(), WAIT, "response").status());
        assertNull(events.messages.poll(300, TimeUnit.MILLISECONDS));

        CompletableFuture<Integer> later = new CompletableFuture<>();
        events.onMessage = x -> later;
        peer.send(incoming("bob", "application/json", "{}".getBytes(StandardCharsets.UTF_8)));
        events.nextMessage(WAIT);
        assertNull(peer.poll(r -> r.isResponse() && r.status() >= 200, Duration.ofMillis(300)), "waits for the outcome");
        later.complete(480);
        assertEquals(480, peer.expect(r -> r.isResponse() && r.status() >= 200, WAIT, "480").status());

        events.onMessage = x -> CompletableFuture.failedFuture(new IllegalStateException("store down"));
        peer.send(incoming("bob", "text/plain", "x".getBytes(StandardCharsets.UTF_8)));
        assertEquals(500, peer.expect(r -> r.isResponse(), WAIT, "500").status());
    }

    @Test
    void bodiesTheGatewayDoesNotTakeAreRefusedBeforeTheApplication() throws Exception {
        startPlain(SipContext.DEFAULT_T1);
        peer.send(incoming("bob", "image/png", new byte[] {1, 2, 3}));
        SipText refused = peer.expect(r -> r.isResponse(), WAIT, "415");
        assertEquals(415, refused.status());
        assertEquals(List.of("text/*", "application/*"), refused.all("Accept").stream()
                .flatMap(a -> List.of(a.split(",\\s*")).stream()).toList());
        peer.send(incoming("bob", "text/plain;charset=x-no-such", "x".getBytes(StandardCharsets.UTF_8)));
        assertEquals(415, peer.expect(r -> r.isResponse(), WAIT, "415").status());
        peer.send(incoming("bob", "text/plain", "a".repeat(MessageHandler.MAX_BODY_BYTES + 1)
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(413, peer.expect(r -> r.isResponse(), WAIT, "413").status());
        assertNull(events.messages.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void theAssertedIdentityIsTheSenderOnlyFromATrustedAddress() throws Exception {
        startPlain(SipContext.DEFAULT_T1, Set.of("127.0.0.1"));
        peer.send(incoming("bob", "text/plain", "hi".getBytes(StandardCharsets.UTF_8),
                "P-Asserted-Identity: <sip:+33123@ims.test>\r\n"));
        assertEquals("sip:+33123@ims.test", events.nextMessage(WAIT).from());
        assertEquals(200, peer.expect(r -> r.isResponse(), WAIT, "200").status());
    }

    @Test
    void anUntrustedAssertedIdentityIsIgnored() throws Exception {
        startPlain(SipContext.DEFAULT_T1);
        peer.send(incoming("bob", "text/plain", "hi".getBytes(StandardCharsets.UTF_8),
                "P-Asserted-Identity: <sip:+33123@ims.test>\r\n"));
        assertEquals("sip:carol@phone.test", events.nextMessage(WAIT).from());
    }

    @Test
    void aMessageInADialogTheGatewayDoesNotKnowIs481() throws Exception {
        startPlain(SipContext.DEFAULT_T1);
        peer.send(incoming("bob", "text/plain", "x".getBytes(StandardCharsets.UTF_8), "")
                .replace("<sip:bob@gw.test>\r\n", "<sip:bob@gw.test>;tag=nosuchdialog\r\n"));
        assertEquals(481, peer.expect(r -> r.isResponse(), WAIT, "481").status());
        assertNull(events.messages.poll(200, TimeUnit.MILLISECONDS));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void startPlain(Duration t1) throws Exception {
        startPlain(t1, Set.of());
    }

    private void startPlain(Duration t1, Set<String> trusted) throws Exception {
        GatewayConfig.SipConfig base = SipTestSupport.config(Optional.empty());
        GatewayConfig.SipConfig config = new GatewayConfig.SipConfig(base.host(), base.port(), base.domain(),
                base.outboundProxy(), base.registrar(), base.userAgent(), base.threadPoolSize(), base.maxMessageSize(),
                base.ringTimeout(), base.registrationExpires(), base.registrationRetryBase(), base.numbers(),
                base.headers(), new ImsProfile(ImsProfile.Identity.NONE, Optional.empty(), false, Optional.empty(),
                        trusted), base.tls(), base.sessionTimer(), base.outboundProxyKeepalive(), base.dnsServers());
        service = new JainSipService(config,
                SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).stackName("message-" + t1.toMillis()).build(),
                t1);
        service.setEvents(events);
        service.start();
        peer = new RawSipPeer(service.port());
    }

    /** The peer is registrar and outbound proxy; alice is registered there. */
    private void startRegistered() throws Exception {
        RegisteredPeer registered = RegisteredPeer.start(events, "Service-Route: <sip:orig@127.0.0.1:%d;lr>\r\n");
        service = registered.service();
        peer = registered.peer();
    }

    private String target() {
        return "sip:bob@127.0.0.1:" + peer.port();
    }

    private SipText nextMessage() throws InterruptedException {
        return peer.expect(m -> "MESSAGE".equals(m.method()), WAIT, "MESSAGE");
    }

    /** A MESSAGE from the peer for {@code user}, its body in the bytes given (the charset is the test's). */
    private String incoming(String user, String type, byte[] body) {
        return incoming(user, type, body, "");
    }

    private String incoming(String user, String type, byte[] body, String extra) {
        String head = SipTestSupport.request("MESSAGE", "sip:" + user + "@gw.test", peer.port(), "UDP",
                "msg-" + System.nanoTime(), "<sip:carol@phone.test>;tag=c1", "<sip:" + user + "@gw.test>", 1,
                extra + "Content-Type: " + type + "\r\n", null).replace("Content-Length: 0\r\n\r\n", "");
        return head.replaceFirst("Contact: [^\r]*\r\n", "") + "Content-Length: " + body.length + "\r\n\r\n"
                + new String(body, StandardCharsets.ISO_8859_1);
    }
}
