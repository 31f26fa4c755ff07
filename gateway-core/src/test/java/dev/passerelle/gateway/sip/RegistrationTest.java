package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.RegisteredPeer.ALICE;
import static dev.passerelle.gateway.sip.RegisteredPeer.AOR;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static dev.passerelle.gateway.sip.SipTestSupport.cseq;
import static dev.passerelle.gateway.sip.SipTestSupport.param;
import static dev.passerelle.gateway.sip.SipTestSupport.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Registration on behalf of a web user against a scripted registrar: what Kamailio cannot be made
 * to do on demand (stale nonces, a second challenge, 503s) and the timing of refreshes and
 * back-off.
 */
class RegistrationTest {


    private JainSipService service;
    private RawSipPeer registrar;
    private final RecordingEvents events = new RecordingEvents();

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.stop(Duration.ofSeconds(1));
        }
        if (registrar != null) {
            registrar.close();
        }
    }

    @Test
    void challengeIsAnsweredAndRefreshesCountTheNonce() throws Exception {
        start(Duration.ofSeconds(600), Duration.ofSeconds(30));
        service.register(ALICE);

        SipText first = nextRegister();
        assertEquals("REGISTER sip:127.0.0.1:" + registrar.port() + " SIP/2.0", first.firstLine());
        assertNull(first.header("Authorization"));
        assertEquals("600", first.header("Expires"));
        assertTrue(String.join(",", first.all("Supported")).replace(" ", "").matches("path,outbound"),
                first.all("Supported").toString());
        String contact = first.header("Contact");
        assertTrue(contact.startsWith("<sip:alice@127.0.0.1:" + service.port() + ";transport=udp>"), contact);
        assertTrue(contact.contains("+sip.instance=\"" + Registrations.instanceOf(AOR) + "\""), contact);
        assertTrue(contact.contains("reg-id=" + Registrations.regIdOf("127.0.0.1", service.port())), contact);
        assertTrue(SipText.uriOf(first.header("To")).equals(AOR) && SipText.uriOf(first.header("From")).equals(AOR));
        registrar.send(with(SipTestSupport.response(first, 401, "Unauthorized", "r1", registrar.port(), null),
                "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"n1\", qop=\"auth\", algorithm=MD5\r\n"
                        + "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"n2\", qop=\"auth,auth-int\", "
                        + "algorithm=SHA-256, opaque=\"op\"\r\n"));

        SipText answered = nextRegister();
        assertEquals(first.callId(), answered.callId());
        assertEquals(cseq(first) + 1, cseq(answered));
        assertEquals("SHA-256", param(answered, "algorithm"), "the strongest algorithm offered (RFC 8760 §2.4)");
        assertEquals("n2", param(answered, "nonce"));
        assertEquals("op", param(answered, "opaque"));
        assertEquals("00000001", param(answered, "nc"));
        assertEquals("auth", param(answered, "qop"));
        Digest.Challenge sha = new Digest.Challenge("ims.test", "n2", "op", Digest.Algorithm.SHA_256,
                List.of("auth"), false);
        assertEquals(Digest.answer(sha, "alice@ims.test", "pw", "REGISTER", "sip:127.0.0.1:" + registrar.port(),
                param(answered, "cnonce"), 1).response(), param(answered, "response"));
        Instant before = Instant.now();
        // Our Contact's expires param counts, not the Expires header (RFC 3261 §10.2.4).
        registrar.send(with(SipTestSupport.response(answered, 200, "OK", "r1", registrar.port(), null)
                .replaceFirst("Contact: [^\r]*\r\n", ""),
                "Contact: <sip:other@10.0.0.9>;expires=3000\r\n"
                        + "Contact: " + contact + ";expires=4\r\nExpires: 3600\r\n"
                        + "Service-Route: <sip:orig@scscf.ims.test;lr>, <sip:as@as.ims.test;lr>\r\n"));
        RegistrationState registered = events.nextRegistration(WAIT);
        assertEquals(RegistrationState.Status.REGISTERED, registered.status());
        assertEquals(200, registered.code());
        long granted = Duration.between(before, registered.expiresAt()).toMillis();
        assertTrue(granted > 3_500 && granted < 4_500, "expires " + granted + " ms");

        // 4 s granted: refreshed at half its time, pre-answered with the same nonce, nc=2.
        SipText refresh = nextRegister();
        long after = Duration.between(before, Instant.now()).toMillis();
        assertTrue(after > 1_500 && after < 3_500, "refreshed after " + after + " ms");
        assertEquals(first.callId(), refresh.callId());
        assertEquals(cseq(answered) + 1, cseq(refresh));
        assertEquals("n2", param(refresh, "nonce"));
        assertEquals("00000002", param(refresh, "nc"));
        assertTrue(!param(refresh, "cnonce").equals(param(answered, "cnonce")), "a fresh cnonce");

        // A new challenge to the refresh is answered with the new nonce from nc=1.
        registrar.send(with(SipTestSupport.response(refresh, 401, "Unauthorized", "r1", registrar.port(), null),
                "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"n3\", qop=\"auth\"\r\n"));
        SipText reanswered = nextRegister();
        assertEquals("n3", param(reanswered, "nonce"));
        assertEquals("MD5", param(reanswered, "algorithm"));
        assertEquals("00000001", param(reanswered, "nc"));
        registrar.send(with(SipTestSupport.response(reanswered, 200, "OK", "r1", registrar.port(), null),
                "Expires: 600\r\n"));
        assertEquals(RegistrationState.Status.REGISTERED, events.nextRegistration(WAIT).status());

        service.register(ALICE);
        service.unregister(AOR);
        SipText removal = nextRegister();
        assertEquals("0", removal.header("Expires"));
        assertTrue(removal.header("Contact").contains("expires=0"), removal.header("Contact"));
        assertEquals("00000002", param(removal, "nc"));
        registrar.send(SipTestSupport.response(removal, 200, "OK", "r1", registrar.port(), null));
        RegistrationState gone = events.nextRegistration(WAIT);
        assertEquals(RegistrationState.Status.UNREGISTERED, gone.status());
        assertEquals(0, service.registrationCount());
        assertNull(registrar.poll(m -> "REGISTER".equals(m.method()), Duration.ofMillis(300)),
                "register() for a registered AOR sent nothing");
    }

    @Test
    void staleNonceIsAnsweredAgainButASecondChallengeFails() throws Exception {
        start(Duration.ofSeconds(600), Duration.ofSeconds(30));
        service.register(ALICE);
        SipText first = nextRegister();
        registrar.send(with(SipTestSupport.response(first, 401, "Unauthorized", "r1", registrar.port(), null),
                "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"n1\", qop=\"auth\"\r\n"));
        SipText answered = nextRegister();
        // RFC 7616 §3.3: stale=true - the answer was right, only the nonce too old.
        registrar.send(with(SipTestSupport.response(answered, 401, "Unauthorized", "r1", registrar.port(), null),
                "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"n2\", qop=\"auth\", stale=true\r\n"));
        SipText again = nextRegister();
        assertEquals("n2", param(again, "nonce"));
        assertEquals("00000001", param(again, "nc"));
        registrar.send(with(SipTestSupport.response(again, 401, "Unauthorized", "r1", registrar.port(), null),
                "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"n3\", qop=\"auth\"\r\n"));

        RegistrationState failed = events.nextRegistration(WAIT);
        assertEquals(RegistrationState.Status.FAILED, failed.status());
        assertEquals(401, failed.code());
        assertTrue(failed.reason().contains("credentials refused"), failed.reason());
        assertNull(registrar.poll(m -> "REGISTER".equals(m.method()), Duration.ofMillis(500)),
                "no new REGISTER before the back-off");
    }

    @Test
    void proxyChallengeIsAnsweredWithProxyAuthorization() throws Exception {
        start(Duration.ofSeconds(600), Duration.ofSeconds(30));
        service.register(ALICE);
        SipText first = nextRegister();
        registrar.send(with(SipTestSupport.response(first, 407, "Proxy Authentication Required", "r1",
                registrar.port(), null), "Proxy-Authenticate: Digest realm=\"edge\", nonce=\"p1\", qop=\"auth\"\r\n"));
        SipText answered = nextRegister();
        assertNull(answered.header("Authorization"));
        assertTrue(answered.header("Proxy-Authorization").contains("nonce=\"p1\""));
        registrar.send(with(SipTestSupport.response(answered, 407, "Proxy Authentication Required", "r1",
                registrar.port(), null), "Proxy-Authenticate: Digest realm=\"edge\", nonce=\"p2\", qop=\"auth\"\r\n"));
        RegistrationState failed = events.nextRegistration(WAIT);
        assertEquals(RegistrationState.Status.FAILED, failed.status());
        assertEquals(407, failed.code());
    }

    @Test
    void failuresAreRetriedWithExponentialBackOff() throws Exception {
        start(Duration.ofSeconds(600), Duration.ofSeconds(1));
        service.register(ALICE);
        SipText first = nextRegister();
        registrar.send(SipTestSupport.response(first, 503, "Service Unavailable", "r1", registrar.port(), null));
        RegistrationState failed = events.nextRegistration(WAIT);
        assertEquals(RegistrationState.Status.FAILED, failed.status());
        assertEquals(503, failed.code());
        long t0 = System.nanoTime();

        // RFC 5626 §4.5: after n failures wait 50-100 % of min(1800 s, base * 2^n); base 1 s here.
        SipText second = nextRegister();
        long gap1 = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(gap1 >= 900 && gap1 <= 2_800, "first retry after " + gap1 + " ms");
        registrar.send(SipTestSupport.response(second, 500, "Server Error", "r1", registrar.port(), null));
        assertEquals(500, events.nextRegistration(WAIT).code());
        long t1 = System.nanoTime();
        SipText third = nextRegister();
        long gap2 = (System.nanoTime() - t1) / 1_000_000;
        assertTrue(gap2 >= 1_900 && gap2 <= 4_800, "second retry after " + gap2 + " ms");
        assertEquals(first.callId(), third.callId());
        registrar.send(with(SipTestSupport.response(third, 200, "OK", "r1", registrar.port(), null),
                "Expires: 600\r\n"));
        assertEquals(RegistrationState.Status.REGISTERED, events.nextRegistration(WAIT).status());
    }

    @Test
    void challengedInviteIsSentAgainOnceWithTheCallersCredentials() throws Exception {
        start(Duration.ofSeconds(600), Duration.ofSeconds(30), true);
        service.register(ALICE);
        SipText register = nextRegister();
        assertEquals("<sip:127.0.0.1:" + registrar.port() + ";lr>", register.header("Route"));
        registrar.send(with(SipTestSupport.response(register, 200, "OK", "r1", registrar.port(), null),
                "Expires: 600\r\nService-Route: <sip:orig@scscf.ims.test;lr>\r\n"));
        assertEquals(RegistrationState.Status.REGISTERED, events.nextRegistration(WAIT).status());

        service.invite(new OutboundInvite("leg-1", AOR, "Alice", "sip:bob@far.test", SipTestSupport.SDP,
                java.util.Map.of()));
        SipText invite = registrar.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE");
        // RFC 3608 §6: the outbound proxy, then the Service-Route.
        assertEquals(List.of("<sip:127.0.0.1:" + registrar.port() + ";lr>", "<sip:orig@scscf.ims.test;lr>"),
                routes(invite));
        registrar.send(with(SipTestSupport.response(invite, 407, "Proxy Authentication Required", "x1",
                registrar.port(), null), "Proxy-Authenticate: Digest realm=\"ims.test\", nonce=\"i1\", qop=\"auth\"\r\n"));
        registrar.expect(m -> "ACK".equals(m.method()), WAIT, "ACK of the 407");
        SipText again = registrar.expect(m -> "INVITE".equals(m.method()), WAIT, "INVITE with credentials");
        assertEquals(invite.callId(), again.callId());
        assertEquals(SipText.tag(invite.header("From")), SipText.tag(again.header("From")));
        assertEquals(cseq(invite) + 1, cseq(again));
        assertNull(SipText.tag(again.header("To")));
        assertTrue(!SipText.branchOf(invite.header("Via")).equals(SipText.branchOf(again.header("Via"))));
        assertEquals("i1", param(again, "nonce"));
        assertEquals(routes(invite), routes(again));
        Digest.Challenge c = new Digest.Challenge("ims.test", "i1", null, Digest.Algorithm.MD5, List.of("auth"), false);
        assertEquals(Digest.answer(c, "alice@ims.test", "pw", "INVITE", "sip:bob@far.test", param(again, "cnonce"), 1)
                .response(), param(again, "response"));
        assertNull(events.events.poll(), "the application saw nothing of the first challenge");

        registrar.send(with(SipTestSupport.response(again, 407, "Proxy Authentication Required", "x2",
                registrar.port(), null), "Proxy-Authenticate: Digest realm=\"ims.test\", nonce=\"i2\", qop=\"auth\"\r\n"));
        assertEquals("failed leg-1 407 Proxy Authentication Required", events.next(WAIT));
        assertNull(registrar.poll(m -> "INVITE".equals(m.method()), Duration.ofMillis(500)), "answered once only");
        assertTrue(SipTestSupport.until(() -> service.legCount() == 0, WAIT));

        // A caller without a registration here has no credentials: the challenge fails the call.
        service.invite(new OutboundInvite("leg-2", "sip:carol@ims.test", null, "sip:bob@far.test", SipTestSupport.SDP,
                java.util.Map.of()));
        SipText carol = registrar.expect(m -> "INVITE".equals(m.method()), WAIT, "carol's INVITE");
        assertEquals(List.of("<sip:127.0.0.1:" + registrar.port() + ";lr>"), routes(carol));
        registrar.send(with(SipTestSupport.response(carol, 401, "Unauthorized", "x3", registrar.port(), null),
                "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"i3\"\r\n"));
        assertEquals("failed leg-2 401 Unauthorized", events.next(WAIT));
    }

    @Test
    void backOffIsCappedAt1800Seconds() {
        for (int failures = 1; failures < 30; failures++) {
            Duration d = Registrations.backOff(Duration.ofSeconds(30), failures);
            long w = Math.min(1800, 30L << Math.min(failures, 20));
            assertTrue(d.toMillis() >= w * 500 && d.toMillis() <= w * 1000, failures + " failures: " + d);
        }
        assertEquals(Duration.ofSeconds(570), Registrations.refreshAfter(Duration.ofSeconds(600)));
        assertEquals(Duration.ofSeconds(20), Registrations.refreshAfter(Duration.ofSeconds(40)));
    }

    @Test
    void withoutRegistrarRegisterIsRefused() {
        service = new JainSipService(SipTestSupport.config(Optional.empty()));
        service.setEvents(events);
        service.start();
        GatewayException e = assertThrows(GatewayException.class, () -> service.register(ALICE));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    private void start(Duration expires, Duration retryBase) {
        start(expires, retryBase, false);
    }

    /** The gateway with the scripted registrar, which is also its outbound proxy when {@code viaProxy}. */
    private void start(Duration expires, Duration retryBase, boolean viaProxy) {
        try {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            GatewayConfig.SipConfig base = SipTestSupport.config(Optional.empty());
            GatewayConfig.SipConfig config = base.withRouting(
                    viaProxy ? Optional.of("sip:127.0.0.1:" + socket.getLocalPort()) : Optional.empty(),
                    Optional.of("sip:127.0.0.1:" + socket.getLocalPort()), expires, retryBase);
            service = new JainSipService(config);
            service.setEvents(events);
            service.start();
            registrar = new RawSipPeer(service.port(), socket);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private SipText nextRegister() throws InterruptedException {
        return registrar.expect(m -> "REGISTER".equals(m.method()), WAIT, "REGISTER");
    }

    /** {@code response} with more header lines (each ending CRLF) before Content-Length. */

    /** Every Route value, in order, whether in one header or several, as the RI parses them. */
    private static List<String> routes(SipText m) {
        try {
            Request request = new MessageFactoryImpl().createRequest(m.raw());
            List<String> routes = new ArrayList<>();
            request.getHeaders(RouteHeader.NAME).forEachRemaining(h -> routes.add(((RouteHeader) h).getAddress().toString()));
            return routes;
        } catch (ParseException e) {
            throw new AssertionError("not a SIP request: " + m.raw(), e);
        }
    }

    /** A parameter of the Authorization or Proxy-Authorization header, unquoted. */
}
