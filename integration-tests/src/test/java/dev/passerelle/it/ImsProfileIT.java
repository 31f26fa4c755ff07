package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SIP profile an operator configures, seen on the wire by a phone that is also the outbound
 * proxy: numbers in the operator's form, the IMS headers of outbound INVITEs, custom headers by
 * allow-list, and identity headers neither forged by a browser nor shown from an untrusted peer.
 */
class ImsProfileIT {

    private static final String PROFILE = """
              numbers:
                form: sip
                countryCode: "33"
                nationalPrefix: "0"
              headers:
                allow: ["X-*", "Subject"]
                pass: ["X-*", "P-Asserted-Identity"]
              ims:
                identity: preferred
                accessNetworkInfo: "IEEE-802.11;i-wlan-node-id=ffffffffffff"
                chargingVector: true
                origIoi: ims.example
                trusted: ["127.0.0.1"]
            """;

    private static SipPhone phone;
    private static GatewayHarness gateway;
    private WsClient alice;

    @BeforeAll
    static void start() {
        phone = SipPhone.start();
        gateway = GatewayHarness.withSip("sip:127.0.0.1:" + phone.port() + ";transport=udp", PROFILE);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        phone.close();
    }

    @BeforeEach
    void login() {
        phone.behave(new SipPhone.Behaviour.RingForever());
        alice = gateway.login("alice-token");
    }

    @AfterEach
    void logout() {
        alice.close();
    }

    private PhoneEvent.Request dial(String to, Map<String, String> headers) {
        ObjectNode p = params().put("to", to).put("sdp", Sdp.browserOffer(Sdp.newUfrag()));
        ObjectNode h = p.putObject("headers");
        headers.forEach(h::put);
        String callId = alice.callOk("call.invite", p, WAIT).path("callId").asText();
        PhoneEvent.Request invite = (PhoneEvent.Request) phone.await(e -> e instanceof PhoneEvent.Request r
                && r.method().equals("INVITE") && r.raw().contains("X-Dialled: " + to), WAIT, "the INVITE for " + to);
        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        alice.awaitCallEvent("call.ended", callId, WAIT);
        return invite;
    }

    @Test
    void aNationalNumberIsCalledAsASipUriWithTheImsHeaders() {
        PhoneEvent.Request invite = dial("01 23 45 67 89", Map.of("X-Dialled", "01 23 45 67 89", "Subject", "hello"));

        // RFC 3261 §19.1.6: the global number, marked user=phone, in the users' domain.
        assertTrue(invite.raw().startsWith("INVITE sip:+33123456789@localhost;user=phone SIP/2.0"), invite.raw());
        assertTrue(invite.raw().contains("P-Preferred-Identity: <sip:alice@localhost>"), invite.raw());
        assertTrue(invite.raw().contains("P-Access-Network-Info: IEEE-802.11"), invite.raw());
        Matcher vector = Pattern.compile("P-Charging-Vector: icid-value=([0-9a-f]{32});icid-generated-at=127.0.0.1;"
                + "orig-ioi=ims.example").matcher(invite.raw());
        assertTrue(vector.find(), invite.raw());
        assertTrue(invite.raw().contains("Subject: hello"), "an allowed custom header goes out: " + invite.raw());
        assertFalse(invite.raw().contains("P-Asserted-Identity"), invite.raw());

        PhoneEvent.Request second = dial("+33 1 23 45 67 89", Map.of("X-Dialled", "+33 1 23 45 67 89"));
        assertTrue(second.raw().startsWith("INVITE sip:+33123456789@localhost;user=phone SIP/2.0"), second.raw());
        Matcher again = Pattern.compile("icid-value=([0-9a-f]{32})").matcher(second.raw());
        assertTrue(again.find());
        assertFalse(again.group(1).equals(vector.group(1)), "RFC 7315 §5.6: a new icid-value for each session");
    }

    @Test
    void aTelUriIsRewrittenToTheConfiguredForm() {
        PhoneEvent.Request invite = dial("tel:+33123456789", Map.of("X-Dialled", "tel:+33123456789"));
        assertTrue(invite.raw().startsWith("INVITE sip:+33123456789@localhost;user=phone SIP/2.0"), invite.raw());
    }

    @Test
    void aBrowserCannotForgeAnIdentityHeaderToAPhoneOrToAnotherBrowser() {
        WsClient bob = gateway.login("bob-token");
        long invitesBefore = invites();
        for (String to : new String[] {"+33123456789", "bob"}) {
            for (String forged : new String[] {"P-Asserted-Identity", "p-preferred-identity", "P-Charging-Vector"}) {
                ObjectNode p = params().put("to", to).put("sdp", Sdp.browserOffer(Sdp.newUfrag()));
                p.putObject("headers").put(forged, "<sip:ceo@ims.example>");
                RpcReply refused = alice.call("call.invite", p, WAIT);
                assertEquals(-32602, refused.errorCode(), to + " " + forged + ": " + refused.message());
                assertTrue(refused.message().toString().contains("header " + forged + " may not be set by a client"),
                        refused.message().toString());
            }
        }
        assertEquals(invitesBefore, invites(), "nothing reached the phone");
        assertTrue(bob.events().stream().noneMatch(e -> e.path("method").asText().equals("call.incoming")),
                "nothing reached bob: " + bob.events());
        bob.close();
    }

    @Test
    void anAssertedIdentityFromATrustedPeerIsShownToTheBrowser() {
        String sipCallId = phone.call("sip:alice@localhost", "127.0.0.1", gateway.sipPort(), phone.sdp(),
                Map.of("P-Asserted-Identity", "\"Bob Phone\" <sip:+33123456789@ims.example;user=phone>",
                        "X-Campaign", "spring"));
        JsonNode incoming = alice.awaitEvent("call.incoming", p -> true, WAIT);
        JsonNode headers = incoming.path("headers");
        assertEquals("\"Bob Phone\" <sip:+33123456789@ims.example;user=phone>",
                headers.path("P-Asserted-Identity").asText(), incoming.toString());
        assertEquals("spring", headers.path("X-Campaign").asText(), incoming.toString());
        alice.callOk("call.reject", params().put("callId", incoming.path("callId").asText()), WAIT);
        phone.awaitResponse(sipCallId, 486, WAIT);
    }

    @Test
    void anAssertedIdentityFromAnUntrustedPeerIsDropped() {
        try (GatewayHarness untrusting = GatewayHarness.withSip(null, """
                  headers:
                    pass: ["X-*", "P-Asserted-Identity"]
                """)) {
            WsClient carol = untrusting.login("carol-token");
            String sipCallId = phone.call("sip:carol@localhost", "127.0.0.1", untrusting.sipPort(), phone.sdp(),
                    Map.of("P-Asserted-Identity", "<sip:ceo@ims.example>", "X-Campaign", "spring"));
            JsonNode incoming = carol.awaitEvent("call.incoming", p -> true, WAIT);
            assertTrue(incoming.path("headers").path("P-Asserted-Identity").isMissingNode(),
                    "RFC 3325 §5: not from the trust domain: " + incoming);
            assertEquals("spring", incoming.path("headers").path("X-Campaign").asText(), incoming.toString());
            carol.callOk("call.reject", params().put("callId", incoming.path("callId").asText()), WAIT);
            phone.awaitResponse(sipCallId, 486, WAIT);
        }
    }

    private static long invites() {
        return phone.events().stream().filter(e -> e instanceof PhoneEvent.Request r && r.method().equals("INVITE")).count();
    }
}
