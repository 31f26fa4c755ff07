package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.Gateway;
import dev.passerelle.gateway.config.ConfigLoader;
import dev.passerelle.peers.Sdp;
import dev.passerelle.peers.TextSipPhone;
import dev.passerelle.peers.WsClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reliable provisionals (RFC 3262), UPDATE (RFC 3311) and session timers (RFC 4028) between a
 * browser-side client and a phone whose SIP the test writes by hand. The gateway runs with a 4 s
 * session interval and a 2 s Min-SE (lab values, see docs/configuration.md) so that refreshes and
 * expiries happen within the test.
 */
class DialogExtensionsIT {

    private Path connectorsDir;
    private Gateway gateway;
    private TextSipPhone phone;
    private WsClient alice;

    @BeforeEach
    void start() throws IOException {
        connectorsDir = Files.createTempDirectory("passerelle-it-dialog");
        gateway = new Gateway(new ConfigLoader(Map.of(
                "PASSERELLE_SIP_SESSIONTIMER_EXPIRES", "4",
                "PASSERELLE_SIP_SESSIONTIMER_MINSE", "2")).fromYaml(GatewayHarness.yaml(connectorsDir)));
        gateway.start();
        phone = TextSipPhone.start(gateway.sipPort());
        alice = WsClient.connect(URI.create("ws://127.0.0.1:" + gateway.webSocketPort() + "/ws"), WAIT);
        alice.login("alice-token");
    }

    @AfterEach
    void stop() throws IOException {
        alice.close();
        phone.close();
        gateway.close();
        Files.deleteIfExists(connectorsDir);
    }

    @Test
    void browserCallsAPhoneThatWantsALongerSessionAndAReliable183ThenTheGatewayRefreshes() {
        String callId = alice.callOk("call.invite",
                params().put("to", phone.uri()).put("sdp", Sdp.browserOffer(Sdp.newUfrag())), WAIT)
                .path("callId").asText();
        TextSipPhone.Message first = phone.expect(m -> m.isRequest("INVITE"), WAIT, "INVITE");
        assertTrue(first.all("Supported").toString().contains("100rel"), first.raw());
        assertEquals("4", first.header("Session-Expires"));

        // RFC 4028 §7.3: the INVITE again, asking for the Min-SE of the 422; the browser sees nothing.
        phone.send(phone.response(first, 422, "Session Interval Too Small", "p1", "Min-SE: 6\r\n", null));
        TextSipPhone.Message invite = phone.expect(m -> m.isRequest("INVITE"), WAIT, "INVITE after the 422");
        assertEquals(first.header("Call-ID"), invite.header("Call-ID"));
        assertEquals("6", invite.header("Session-Expires"));

        // A reliable 183: the gateway PRACKs it (RFC 3262 §4), the browser gets call.progress.
        phone.send(phone.response(invite, 183, "Session Progress", "p2", "Require: 100rel\r\nRSeq: 1\r\n", null));
        TextSipPhone.Message prack = phone.expect(m -> m.isRequest("PRACK"), WAIT, "PRACK");
        assertEquals("1 2 INVITE", prack.header("RAck"));
        phone.send(phone.response(prack, 200, "OK", null, "", null));
        JsonNode progress = alice.awaitCallEvent("call.progress", callId, WAIT);
        assertEquals(183, progress.path("code").asInt(), progress.toString());

        String answer = Sdp.answer(invite.body(), 41_000, Sdp.newUfrag());
        // No Allow: UPDATE from the phone, so the gateway (refresher "uac") refreshes with re-INVITE.
        phone.send(phone.response(invite, 200, "OK", "p2", "Session-Expires: 6;refresher=uac\r\nRequire: timer\r\n",
                answer));
        phone.expect(m -> m.isRequest("ACK"), WAIT, "ACK");
        alice.awaitCallEvent("call.accepted", callId, WAIT);

        TextSipPhone.Message refresh = phone.expect(m -> m.isRequest("INVITE"), Duration.ofSeconds(6),
                "refresh re-INVITE within the 6 s interval");
        assertEquals(invite.header("Call-ID"), refresh.header("Call-ID"));
        assertEquals("p2", refresh.toTag());
        assertEquals("6;refresher=uac", refresh.header("Session-Expires"));
        assertTrue(refresh.body().startsWith("v=0"), refresh.raw());
        phone.send(phone.response(refresh, 200, "OK", null, "Session-Expires: 6;refresher=uac\r\n", answer));
        TextSipPhone.Message ack = phone.expect(m -> m.isRequest("ACK"), WAIT, "ACK of the refresh");
        assertEquals(refresh.header("CSeq").replace("INVITE", "ACK"), ack.header("CSeq"));

        alice.callOk("call.hangup", params().put("callId", callId), WAIT);
        TextSipPhone.Message bye = phone.expect(m -> m.isRequest("BYE"), WAIT, "BYE");
        phone.send(phone.response(bye, 200, "OK", null, "", null));
        alice.awaitCallEvent("call.ended", callId, WAIT);
    }

    @Test
    void phoneRequiring100relIsPrackedThenStopsRefreshingAndTheBrowserHearsTheCallEnd() {
        String firstOffer = Sdp.phone(42_000);
        String sipCallId = UUID.randomUUID().toString();
        String gatewayUri = "sip:alice@localhost";
        String from = "<" + phone.uri() + ">;tag=ph1";
        phone.send(phone.request("INVITE", gatewayUri, sipCallId, from, "<" + gatewayUri + ">", 1,
                "Require: 100rel\r\nSupported: timer\r\nSession-Expires: 4\r\n"
                        + "Allow: INVITE, ACK, BYE, CANCEL, PRACK, UPDATE\r\n",
                firstOffer));
        JsonNode incoming = alice.awaitEvent("call.incoming", p -> true, WAIT);
        String callId = incoming.path("callId").asText();

        TextSipPhone.Message ringing = phone.expect(m -> m.isResponse(180, "INVITE"), WAIT, "reliable 180");
        assertTrue(ringing.all("Require").toString().contains("100rel"), ringing.raw());
        String rseq = ringing.header("RSeq");
        assertNotNull(rseq, ringing.raw());
        alice.callOk("call.answer", params().put("callId", callId)
                .put("sdp", Sdp.answer(incoming.path("sdp").asText(), 50_000, Sdp.newUfrag())), WAIT);
        // RFC 3262 §3: the 2xx waits for the PRACK of the reliable 180.
        assertNull(phone.poll(m -> m.isResponse(200, "INVITE"), Duration.ofMillis(500)), "2xx before the PRACK");

        String to = ringing.header("To");
        phone.send(phone.request("PRACK", ringing.contactUri(), sipCallId, from, to, 2,
                "RAck: " + rseq + " 1 INVITE\r\n", null));
        phone.expect(m -> m.isResponse(200, "PRACK"), WAIT, "200 to the PRACK");
        TextSipPhone.Message ok = phone.expect(m -> m.isResponse(200, "INVITE"), WAIT, "200 to the INVITE");
        assertEquals("4;refresher=uac", ok.header("Session-Expires"));
        phone.send(phone.request("ACK", ok.contactUri(), sipCallId, from, to, 1, "", null));
        alice.awaitCallEvent("call.confirmed", callId, WAIT);

        // UPDATE without SDP: a refresh, 200 with the session timer. A new offer goes to the browser
        // as the gateway's call.update request, whose answer comes back in the 200 (RFC 3311 §5.2).
        phone.send(phone.request("UPDATE", ok.contactUri(), sipCallId, from, to, 3,
                "Supported: timer\r\nSession-Expires: 4;refresher=uac\r\n", null));
        TextSipPhone.Message refreshed = phone.expect(m -> m.isResponse(200, "UPDATE"), WAIT, "200 to the UPDATE");
        assertEquals("4;refresher=uac", refreshed.header("Session-Expires"));
        long lastRefresh = System.nanoTime();
        phone.send(phone.request("UPDATE", ok.contactUri(), sipCallId, from, to, 4, "",
                Sdp.nextVersion(firstOffer).replace("m=audio 42000 ", "m=audio 42100 ")));
        JsonNode update = alice.awaitServerRequest("call.update", WAIT);
        String answer = Sdp.answer(update.path("params").path("sdp").asText(), 50_002, Sdp.newUfrag());
        alice.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":" + update.get("id") + ",\"result\":{\"sdp\":"
                + WsClient.json().valueToTree(answer) + "}}");
        TextSipPhone.Message answered = phone.expect(m -> m.isResponse(200, "UPDATE") && !m.body().isEmpty(), WAIT,
                "200 with the browser's answer to the UPDATE");
        assertTrue(answered.body().contains("m=audio 50002 "), answered.raw());
        lastRefresh = System.nanoTime();

        // The phone refreshes no more: BYE at 4 s - min(32 s, 4/3 s) after the last refresh (§10).
        TextSipPhone.Message bye = phone.expect(m -> m.isRequest("BYE"), WAIT, "BYE on session expiry");
        long afterMs = (System.nanoTime() - lastRefresh) / 1_000_000;
        assertTrue(afterMs >= 2_400, "BYE only " + afterMs + " ms after the last refresh");
        phone.send(phone.response(bye, 200, "OK", null, "", null));
        JsonNode ended = alice.awaitCallEvent("call.ended", callId, WAIT);
        assertEquals(408, ended.path("code").asInt(), ended.toString());
        assertEquals("Session timer expired", ended.path("reason").asText(), ended.toString());
    }
}
