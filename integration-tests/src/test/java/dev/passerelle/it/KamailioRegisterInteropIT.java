package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.sip.InboundInvite;
import dev.passerelle.gateway.sip.JainSipService;
import dev.passerelle.gateway.sip.OutboundInvite;
import dev.passerelle.gateway.sip.RegistrationState;
import dev.passerelle.gateway.sip.SipEvents;
import dev.passerelle.gateway.sip.SipRegistration;
import dev.passerelle.peers.Kamailio;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import dev.passerelle.sipstack.HeaderPolicy;
import dev.passerelle.sipstack.ImsProfile;
import dev.passerelle.sipstack.NumberPlan;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registration on behalf of web users (IMS mode) against a real Kamailio registrar (Debian package
 * {@code kamailio}): digest with MD5 and SHA-256, the refresh pre-answered with the next nonce
 * count, a call from a SIP phone through Kamailio to the registered Contact, the removal of the
 * binding, and a wrong password. The SIP side is driven through {@link JainSipService} itself, so
 * that what Kamailio saw can be matched request by request.
 */
class KamailioRegisterInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String DOMAIN = "passerelle.test";
    private static final String AOR = "sip:alice@" + DOMAIN;
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    @TempDir
    Path workDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void md5RegistrationIsRefreshedReceivesCallsAndIsRemoved() throws Exception {
        Kamailio kamailio = kamailio("MD5");
        Events events = new Events();
        JainSipService sip = gateway(kamailio, events, Duration.ofSeconds(20));

        sip.register(new SipRegistration("alice", AOR, "Alice", "alice", "alice-pw"));

        RegistrationState registered = events.next(RegistrationState.Status.REGISTERED);
        assertEquals(200, registered.code());
        assertTrue(registered.expiresAt().isAfter(Instant.now().plusSeconds(10)), registered.toString());
        String first = kamailio.await(l -> l.contains("KAM REGISTER"), WAIT, "the first REGISTER");
        assertTrue(first.contains("au=[<null>]"), "the first REGISTER carries no credentials: " + first);
        assertTrue(first.contains("+sip.instance=\"<urn:uuid:") && first.contains("reg-id="), first);
        assertTrue(first.contains("sup=[path") && first.contains("outbound"), first);
        String answered = kamailio.await(l -> l.contains("KAM REGISTER"), WAIT, "the answered REGISTER");
        assertTrue(answered.contains("algorithm=MD5") && answered.contains("qop=auth")
                && answered.contains("nc=00000001") && answered.contains("username=\"alice\""), answered);
        assertEquals(callIdOf(first), callIdOf(answered), "one Call-ID per registration (RFC 3261 §10.2)");

        // A phone calls alice's AOR through Kamailio: lookup("location") sends it to our Contact.
        SipPhone phone = SipPhone.start();
        closeables.add(phone);
        String call = phone.call(AOR, "127.0.0.1", kamailio.port(), SDP);
        InboundInvite invite = events.invites.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(invite, "no INVITE reached the gateway:\n" + kamailio.logText());
        assertEquals("alice", invite.requestUser());
        sip.answer(invite.callId(), SDP);
        phone.awaitResponse(call, 200, WAIT);
        phone.bye(call);
        phone.awaitResponse(200, WAIT);

        // 20 s granted: the refresh goes at 10 s, pre-answered with the same nonce, nc=2.
        String refresh = kamailio.await(l -> l.contains("KAM REGISTER"), Duration.ofSeconds(20), "the refresh");
        assertTrue(refresh.contains("nc=00000002"), refresh);
        assertEquals(callIdOf(first), callIdOf(refresh));
        assertEquals(RegistrationState.Status.REGISTERED, events.next(RegistrationState.Status.REGISTERED).status());

        sip.unregister(AOR);
        RegistrationState gone = events.next(RegistrationState.Status.UNREGISTERED);
        assertEquals(200, gone.code());
        String removal = kamailio.await(l -> l.contains("KAM REGISTER") && l.contains("exp=[0]"), WAIT, "the removal");
        assertTrue(removal.contains("expires=0"), removal);

        String late = phone.call(AOR, "127.0.0.1", kamailio.port(), SDP);
        PhoneEvent.Response refused = phone.awaitFinalResponse(late, WAIT);
        assertEquals(404, refused.status(), "a call to alice after the removal");
        assertTrue(events.invites.isEmpty());
    }

    @Test
    void sha256ChallengeIsAnsweredWithSha256() throws Exception {
        Kamailio kamailio = kamailio("SHA-256");
        Events events = new Events();
        JainSipService sip = gateway(kamailio, events, Duration.ofSeconds(600));

        sip.register(new SipRegistration("alice", AOR, null, "alice", "alice-pw"));

        RegistrationState registered = events.next(RegistrationState.Status.REGISTERED);
        assertTrue(registered.expiresAt().isAfter(Instant.now().plusSeconds(500)), registered.toString());
        kamailio.await(l -> l.contains("KAM REGISTER") && l.contains("au=[<null>]"), WAIT, "the first REGISTER");
        String answered = kamailio.await(l -> l.contains("KAM REGISTER"), WAIT, "the answered REGISTER");
        assertTrue(answered.contains("algorithm=SHA-256") && answered.contains("nc=00000001"), answered);
    }

    @Test
    void wrongPasswordFailsWith401AndIsNotRetriedAtOnce() throws Exception {
        Kamailio kamailio = kamailio("MD5");
        Events events = new Events();
        JainSipService sip = gateway(kamailio, events, Duration.ofSeconds(600));

        sip.register(new SipRegistration("alice", AOR, null, "alice", "not-the-password"));

        RegistrationState failed = events.next(RegistrationState.Status.FAILED);
        assertEquals(401, failed.code());
        assertTrue(failed.reason().contains("credentials refused"), failed.reason());
        assertNull(failed.expiresAt());
        kamailio.await(l -> l.contains("KAM REGISTER") && l.contains("au=[<null>]"), WAIT, "the first REGISTER");
        kamailio.await(l -> l.contains("KAM REGISTER") && l.contains("nc=00000001"), WAIT, "the answered REGISTER");
        // Back-off: base 30 s, so nothing more within a few seconds.
        assertTrue(kamailio.log().poll(l -> l.contains("KAM REGISTER"), Duration.ofSeconds(3)).isEmpty(),
                "a refused registration is retried only after the back-off:\n" + kamailio.logText());

        sip.unregister(AOR);
        assertEquals(RegistrationState.Status.UNREGISTERED, events.next(RegistrationState.Status.UNREGISTERED).status());
    }

    @Test
    void outboundInviteAnswersTheProxyChallengeOnceAndFollowsTheServiceRoute() throws Exception {
        Kamailio kamailio = kamailio("MD5");
        SipPhone phone = SipPhone.start();
        closeables.add(phone);
        Events events = new Events();
        JainSipService sip = gateway(kamailio, events, Duration.ofSeconds(600), Optional.of(kamailio.uri()));
        sip.register(new SipRegistration("alice", AOR, "Alice", "alice", "alice-pw"));
        events.next(RegistrationState.Status.REGISTERED);
        String register = kamailio.await(l -> l.contains("KAM REGISTER"), WAIT, "the REGISTER");
        assertTrue(register.contains("route=[<" + kamailio.uri() + ">]"), "REGISTER through the outbound proxy: " + register);

        sip.invite(new OutboundInvite("call-1", AOR, "Alice", phone.uri(), SDP, Map.of()));

        String challenged = kamailio.await(l -> l.contains("KAM INVITE"), WAIT, "the first INVITE");
        assertTrue(challenged.contains("pau=[<null>]"), challenged);
        // RFC 3608 §6: outbound proxy, then the Service-Route Kamailio put in the 200 to REGISTER.
        assertTrue(challenged.contains("route=[<" + kamailio.uri() + ">,<sip:orig@127.0.0.1:" + kamailio.port() + ";lr>]"),
                challenged);
        String answered = kamailio.await(l -> l.contains("KAM INVITE"), WAIT, "the INVITE with credentials");
        assertTrue(answered.contains("pau=[Digest username=\"alice\"") && answered.contains("nc=00000001"), answered);
        assertEquals(callIdOf(challenged), callIdOf(answered), "the same Call-ID (RFC 3261 §22.2)");
        assertTrue(answered.contains("cs=2 "), "CSeq one higher: " + answered);
        phone.awaitRequest("INVITE", WAIT);
        String state = events.other.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        while ("progress 180".equals(state) || "progress 183".equals(state)) {
            state = events.other.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertEquals("accepted", state, "the call connects once the challenge is answered");
        sip.bye("call-1");
        phone.awaitRequest("BYE", WAIT);
    }

    @Test
    void outboundInviteFromAnUnregisteredAorFailsWithTheChallenge() throws Exception {
        Kamailio kamailio = kamailio("MD5");
        SipPhone phone = SipPhone.start();
        closeables.add(phone);
        Events events = new Events();
        JainSipService sip = gateway(kamailio, events, Duration.ofSeconds(600), Optional.of(kamailio.uri()));
        // bob is not registered on this node: the gateway has no credentials to answer with.
        sip.invite(new OutboundInvite("call-2", "sip:bob@" + DOMAIN, null, phone.uri(), SDP, Map.of()));
        assertEquals("failed 407 Proxy Authentication Required", events.other.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "without a registration there are no credentials: the 407 ends the call");
        assertTrue(kamailio.log().poll(l -> l.contains("KAM INVITE") && l.contains("pau=[Digest"),
                Duration.ofSeconds(1)).isEmpty(), "no second INVITE:\n" + kamailio.logText());
    }

    @Test
    void webUsersAreRegisteredWhileTheyHaveASessionAndTheirTabsRingTogether() throws Exception {
        Kamailio kamailio = kamailio("MD5");
        SipPhone phone = SipPhone.start();
        closeables.add(phone);
        GatewayHarness gateway = GatewayHarness.withRegistrar(kamailio.registrarUri(), kamailio.uri(), DOMAIN);
        closeables.add(gateway);

        WsClient tab1 = gateway.login("alice-token");
        JsonNode registered = tab1.awaitEvent("registration.state", p -> true, WAIT);
        assertEquals("registered", registered.path("state").asText(), registered.toString());
        assertEquals(200, registered.path("code").asInt());
        assertTrue(Instant.parse(registered.path("expires").asText()).isAfter(Instant.now().plusSeconds(500)),
                registered.toString());
        kamailio.await(l -> l.contains("KAM REGISTER") && l.contains("au=[<null>]"), WAIT, "alice's REGISTER");
        kamailio.await(l -> l.contains("KAM REGISTER") && l.contains("username=\"alice\""), WAIT, "the answer");
        // A second tab: one registration per user, and the new tab learns its state at once.
        WsClient tab2 = gateway.login("alice-token");
        assertEquals("registered", tab2.awaitEvent("registration.state", p -> true, WAIT).path("state").asText());
        assertTrue(kamailio.log().poll(l -> l.contains("KAM REGISTER"), Duration.ofSeconds(1)).isEmpty(),
                "the second tab registered again:\n" + kamailio.logText());

        String sipCall = phone.call(AOR, "127.0.0.1", kamailio.port(), phone.sdp());
        JsonNode incoming1 = tab1.awaitEvent("call.incoming", p -> true, WAIT);
        JsonNode incoming2 = tab2.awaitEvent("call.incoming", p -> true, WAIT);
        String callId = incoming1.path("callId").asText();
        assertEquals(callId, incoming2.path("callId").asText(), "both tabs ring for the same call");
        tab1.callOk("call.answer", WsClient.params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming1.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        phone.awaitResponse(sipCall, 200, WAIT);
        tab2.awaitCallEvent("call.ended", callId, WAIT);
        phone.bye(sipCall);
        tab1.awaitCallEvent("call.ended", callId, WAIT);

        // bob's password is refused: his session is told, with the code.
        WsClient bob = gateway.login("bob-token");
        JsonNode failed = bob.awaitEvent("registration.state", p -> true, WAIT);
        assertEquals("failed", failed.path("state").asText(), failed.toString());
        assertEquals(401, failed.path("code").asInt());
        assertTrue(failed.path("reason").asText().contains("credentials refused"), failed.toString());

        // The first logout keeps the registration; the last removes it.
        tab1.callOk("session.logout", WsClient.params(), WAIT);
        assertTrue(kamailio.log().poll(l -> l.contains("KAM REGISTER") && l.contains("exp=[0]"),
                Duration.ofSeconds(1)).isEmpty(), "unregistered while a tab was left:\n" + kamailio.logText());
        tab2.callOk("session.logout", WsClient.params(), WAIT);
        kamailio.await(l -> l.contains("KAM REGISTER") && l.contains("fu=" + AOR) && l.contains("exp=[0]"), WAIT,
                "alice's removal");
        String late = phone.call(AOR, "127.0.0.1", kamailio.port(), phone.sdp());
        assertEquals(404, phone.awaitFinalResponse(late, WAIT).status(), "a call to alice after her last logout");
    }

    @Test
    void aWebUserCallsThroughTheRegistrarsProxyWhichChallengesOnce() throws Exception {
        Kamailio kamailio = kamailio("SHA-256");
        SipPhone phone = SipPhone.start();
        closeables.add(phone);
        GatewayHarness gateway = GatewayHarness.withRegistrar(kamailio.registrarUri(), kamailio.uri(), DOMAIN);
        closeables.add(gateway);
        WsClient alice = gateway.login("alice-token");
        assertEquals("registered", alice.awaitEvent("registration.state", p -> true, WAIT).path("state").asText());

        String callId = alice.callOk("call.invite", WsClient.params().put("to", phone.uri())
                .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();

        kamailio.await(l -> l.contains("KAM INVITE") && l.contains("pau=[<null>]")
                && l.contains("<sip:orig@127.0.0.1:" + kamailio.port() + ";lr>"), WAIT, "the INVITE on the Service-Route");
        kamailio.await(l -> l.contains("KAM INVITE") && l.contains("algorithm=SHA-256"), WAIT, "the answered INVITE");
        JsonNode accepted = alice.awaitCallEvent("call.accepted", callId, WAIT);
        assertTrue(accepted.path("sdp").asText().contains("m=audio"), accepted.toString());
        alice.callOk("call.hangup", WsClient.params().put("callId", callId), WAIT);
        phone.awaitRequest("BYE", WAIT);

        // Drain (what SIGTERM does) removes the node's registrations.
        gateway.gateway().drain(Duration.ofSeconds(5));
        String removal = kamailio.await(l -> l.contains("KAM REGISTER") && l.contains("exp=[0]"), WAIT,
                "the removal at drain");
        assertTrue(removal.contains("algorithm=SHA-256"), "pre-answered with the last challenge: " + removal);
    }

    private static String callIdOf(String line) {
        int at = line.indexOf(" ci=");
        return line.substring(at + 4, line.indexOf(' ', at + 4));
    }

    private Kamailio kamailio(String algorithm) throws IOException, InterruptedException {
        String template;
        try (InputStream in = KamailioRegisterInteropIT.class.getResourceAsStream("/kamailio/kamailio.cfg")) {
            assertNotNull(in, "kamailio/kamailio.cfg is missing from the test resources");
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Kamailio kamailio = Kamailio.start(template, workDir, DOMAIN, algorithm,
                Map.of("alice", "alice-pw", "bob", "bob-pw"));
        closeables.add(kamailio);
        return kamailio;
    }

    private JainSipService gateway(Kamailio kamailio, Events events, Duration expires) {
        return gateway(kamailio, events, expires, Optional.empty());
    }

    private JainSipService gateway(Kamailio kamailio, Events events, Duration expires, Optional<String> proxy) {
        GatewayConfig.SipConfig config = new GatewayConfig.SipConfig("127.0.0.1", 0, DOMAIN, proxy,
                Optional.of(kamailio.registrarUri()), "Passerelle-it", 4, 65_536, Duration.ofSeconds(60),
                expires, Duration.ofSeconds(30), NumberPlan.DEFAULT, HeaderPolicy.DEFAULT, ImsProfile.NONE,
                Optional.empty(), GatewayConfig.SessionTimerConfig.DEFAULT, Duration.ZERO, List.of());
        JainSipService sip = new JainSipService(config);
        sip.setEvents(events);
        sip.start();
        closeables.add(() -> sip.stop(Duration.ofSeconds(5)));
        return sip;
    }

    /** What the SIP side reported; only registrations and incoming INVITEs happen here. */
    static final class Events implements SipEvents {

        final BlockingQueue<RegistrationState> registrations = new LinkedBlockingQueue<>();
        final BlockingQueue<InboundInvite> invites = new LinkedBlockingQueue<>();
        final BlockingQueue<String> other = new LinkedBlockingQueue<>();

        RegistrationState next(RegistrationState.Status expected) throws InterruptedException {
            RegistrationState s = registrations.poll(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
            if (s == null) {
                fail("no registration state within " + WAIT.multipliedBy(3) + " (expected " + expected + ")");
            }
            assertEquals(expected, s.status(), s.toString());
            return s;
        }

        @Override
        public void registrationState(String aor, RegistrationState state) {
            assertEquals(AOR, aor);
            registrations.add(state);
        }

        @Override
        public void incomingInvite(InboundInvite invite) {
            invites.add(invite);
        }

        @Override
        public void progress(String callId, int status, String reason, String sdp) {
            other.add("progress " + status);
        }

        @Override
        public void accepted(String callId, String sdp) {
            other.add("accepted");
        }

        @Override
        public void failed(String callId, int status, String reason) {
            other.add("failed " + status + " " + reason);
        }

        @Override
        public void confirmed(String callId) {
            other.add("confirmed");
        }

        @Override
        public void remoteBye(String callId) {
            other.add("remoteBye");
        }

        @Override
        public void remoteCancel(String callId) {
            other.add("remoteCancel");
        }

        @Override
        public CompletionStage<String> remoteOffer(String callId, String sdp) {
            return CompletableFuture.failedFuture(new IllegalStateException("no re-INVITE expected"));
        }

        @Override
        public CompletionStage<Integer> message(dev.passerelle.gateway.sip.InboundMessage message) {
            return CompletableFuture.completedFuture(480);
        }

        @Override
        public void dtmf(String callId, String tones) {
        }

        @Override
        public void transfer(String callId, String target, int status, boolean outcome) {
        }

        @Override
        public void redirected(String callId, int status, String reason, List<String> contacts) {
            failed(callId, status, reason);
        }

        @Override
        public void referred(String callId, String target, String referredBy) {
        }

        @Override
        public void presence(String subscriptionId, dev.passerelle.gateway.sip.PresenceStatus status, String note,
                boolean terminated) {
        }
    }
}
