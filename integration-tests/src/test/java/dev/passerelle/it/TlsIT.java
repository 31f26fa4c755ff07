package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.peers.Certificates;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIP over TLS both ways between the gateway and a JAIN-SIP phone, with certificates of a test CA;
 * a phone whose certificate that CA did not sign, or signed for another host, is never sent a call.
 */
class TlsIT {

    @TempDir
    static Path dir;
    private static Certificates ca;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        ca = Certificates.authority(dir);
        Path gw = ca.signed("gateway");
        gateway = GatewayHarness.withSip(null, """
                  tls:
                    port: 0
                    keyStore: "%s"
                    keyStorePassword: "%s"
                    trustStore: "%s"
                    trustStorePassword: "%s"
                """.formatted(gw, Certificates.PASSWORD, ca.trustStore(), Certificates.PASSWORD));
        assertTrue(gateway.gateway().sipTlsPort() > 0);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aBrowserCallsAPhoneOverTls() {
        try (SipPhone phone = SipPhone.startTls(ca.signed("phone"), ca.trustStore(), Certificates.PASSWORD);
                WsClient alice = gateway.login("alice-token")) {
            phone.behave(new SipPhone.Behaviour.Answer());
            String callId = alice.callOk("call.invite", params().put("to", phone.uri())
                    .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();

            PhoneEvent.Request invite = phone.awaitCall(WAIT);
            assertTrue(invite.raw().startsWith("INVITE " + phone.uri() + " SIP/2.0"), invite.raw());
            assertTrue(invite.raw().contains("Via: SIP/2.0/TLS 127.0.0.1:" + gateway.gateway().sipTlsPort()), invite.raw());
            // RFC 5630 §3.1.1: the gateway's Contact keeps requests to it on TLS.
            assertTrue(invite.raw().contains("Contact: <sips:127.0.0.1:" + gateway.gateway().sipTlsPort() + ">"),
                    invite.raw());
            alice.awaitCallEvent("call.accepted", callId, WAIT);
            phone.awaitRequest("ACK", invite.callId(), WAIT);

            alice.callOk("call.hangup", params().put("callId", callId), WAIT);
            phone.awaitRequest("BYE", invite.callId(), WAIT);
        }
    }

    @Test
    void aPhoneCallsABrowserOverTls() {
        try (SipPhone phone = SipPhone.startTls(ca.signed("caller"), ca.trustStore(), Certificates.PASSWORD);
                WsClient bob = gateway.login("bob-token")) {
            String sipCallId = phone.call("sips:bob@localhost", "127.0.0.1", gateway.gateway().sipTlsPort(),
                    phone.sdp());
            JsonNode incoming = bob.awaitEvent("call.incoming", p -> true, WAIT);
            bob.callOk("call.answer", params().put("callId", incoming.path("callId").asText())
                    .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
            PhoneEvent.Response ok = phone.awaitResponse(sipCallId, 200, WAIT);
            assertTrue(ok.raw().contains("Contact: <sips:127.0.0.1:" + gateway.gateway().sipTlsPort() + ">"), ok.raw());
            bob.awaitCallEvent("call.confirmed", incoming.path("callId").asText(), WAIT);
            phone.bye(sipCallId);
            bob.awaitCallEvent("call.ended", incoming.path("callId").asText(), WAIT);
        }
    }

    @Test
    void aPhoneWhoseCertificateNamesAnotherHostGetsNoCall() {
        try (SipPhone impostor = SipPhone.startTls(ca.signedFor("impostor", "dns:elsewhere.example"), ca.trustStore(),
                Certificates.PASSWORD);
                WsClient alice = gateway.login("alice-token")) {
            // RFC 5922 §7.2: signed by a trusted CA, yet not for the host the gateway set out to reach.
            // The RI drops the connection after the INVITE was handed to it, without telling the
            // listener: the call ends when the INVITE transaction times out (Timer B).
            String callId = alice.callOk("call.invite", params().put("to", impostor.uri())
                    .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT).path("callId").asText();
            JsonNode ended = alice.awaitCallEvent("call.ended", callId, Duration.ofSeconds(40));
            assertEquals(408, ended.path("code").asInt(), ended.toString());
            assertTrue(impostor.events().stream().noneMatch(e -> e instanceof PhoneEvent.Request),
                    "no request reached the impostor: " + impostor.events());
        }
    }

    @Test
    void aPhoneWithACertificateTheGatewayDoesNotTrustGetsNoCall() {
        try (SipPhone rogue = SipPhone.startTls(ca.selfSigned("rogue"), ca.trustStore(), Certificates.PASSWORD);
                WsClient carol = gateway.login("carol-token")) {
            RpcReply refused = carol.call("call.invite", params().put("to", rogue.uri())
                    .put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT);
            assertEquals(503, refused.errorCode(), refused.toString());
            assertTrue(refused.message().toString().contains("No trusted certificate found"), refused.toString());
            assertTrue(rogue.events().stream().noneMatch(e -> e instanceof PhoneEvent.Request),
                    "the handshake failed, so no request reached the phone: " + rogue.events());
        }
    }
}
