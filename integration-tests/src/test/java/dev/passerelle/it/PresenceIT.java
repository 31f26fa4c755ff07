package dev.passerelle.it;

import static dev.passerelle.it.GatewayHarness.WAIT;
import static dev.passerelle.peers.WsClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.session.redis.TestRedis;
import dev.passerelle.peers.PresenceServer;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.TextSipPhone;
import dev.passerelle.peers.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Presence end to end: a browser watching a SIP presentity (SUBSCRIBE challenged once, NOTIFYs
 * as {@code presence.update}, removal at unsubscribe and logout), PUBLISH in IMS mode, and web
 * users watching each other on one node and across two nodes sharing Redis (the watched session
 * expiring there).
 */
class PresenceIT {

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        closeables.add(c);
        return c;
    }

    @Test
    void aBrowserWatchesASipPresentity() {
        PresenceServer server = keep(PresenceServer.start());
        GatewayHarness gateway = keep(GatewayHarness.withRegistrar(server.uri(), null, "ims.test"));
        WsClient alice = gateway.login("alice-token");
        server.answer(server.expectRegister(WAIT), 200, "OK", "Expires: 600\r\n");
        assertEquals("registered", alice.awaitEvent("registration.state", p -> true, WAIT).path("state").asText());

        String bob = server.uri("dave");
        CompletableFuture<RpcReply> subscribed = alice.call("presence.subscribe", params().put("to", bob));
        TextSipPhone.Message first = server.expectSubscribe(WAIT);
        assertEquals("presence", first.header("Event"));
        assertTrue(first.header("From").contains("sip:alice@ims.test"), first.header("From"));
        server.challenge(first, "ims.test", "n1");
        TextSipPhone.Message answered = server.expectSubscribe(WAIT);
        assertTrue(answered.header("Proxy-Authorization").contains("username=\"alice\""),
                answered.header("Proxy-Authorization"));
        server.answer(answered, 200, "OK", "Expires: 600\r\n");
        assertFalse(subscribed.join().isError(), subscribed.join().toString());

        assertEquals(200, PresenceServer.status(server.notify(answered, "active;expires=600",
                PresenceServer.pidf(bob, true, null, null), WAIT)));
        JsonNode available = alice.awaitEvent("presence.update", p -> bob.equals(p.path("user").asText()), WAIT);
        assertEquals("available", available.path("status").asText());
        server.notify(answered, "active;expires=590", PresenceServer.pidf(bob, true, "on-the-phone", "On a call"), WAIT);
        JsonNode busy = alice.awaitEvent("presence.update", p -> bob.equals(p.path("user").asText()), WAIT);
        assertEquals("busy", busy.path("status").asText());
        assertEquals("On a call", busy.path("note").asText());

        // Subscribing twice is idempotent: no second SUBSCRIBE.
        assertFalse(alice.call("presence.subscribe", params().put("to", bob), WAIT).isError());
        assertNull(server.pollSubscribe(Duration.ofMillis(300)));

        alice.callOk("presence.unsubscribe", params().put("to", bob), WAIT);
        TextSipPhone.Message removal = server.expectSubscribe(WAIT);
        assertEquals("0", removal.header("Expires"));
        assertEquals(answered.header("Call-ID"), removal.header("Call-ID"));
        server.answer(removal, 200, "OK", "Expires: 0\r\n");

        // Logout ends the subscriptions of the session too.
        CompletableFuture<RpcReply> again = alice.call("presence.subscribe", params().put("to", bob));
        TextSipPhone.Message second = server.expectSubscribe(WAIT);
        server.answer(second, 200, "OK", "Expires: 600\r\n");
        assertFalse(again.join().isError());
        alice.callOk("session.logout", params(), WAIT);
        TextSipPhone.Message atLogout = server.expectSubscribe(WAIT);
        assertEquals("0", atLogout.header("Expires"));
        assertEquals(second.header("Call-ID"), atLogout.header("Call-ID"));
    }

    @Test
    void aSecondChallengeFailsTheSubscribeWithItsCode() {
        PresenceServer server = keep(PresenceServer.start());
        GatewayHarness gateway = keep(GatewayHarness.withRegistrar(server.uri(), null, "ims.test"));
        WsClient alice = gateway.login("alice-token");
        server.answer(server.expectRegister(WAIT), 200, "OK", "Expires: 600\r\n");
        alice.awaitEvent("registration.state", p -> true, WAIT);

        CompletableFuture<RpcReply> subscribed = alice.call("presence.subscribe", params().put("to", server.uri("dave")));
        server.challenge(server.expectSubscribe(WAIT), "ims.test", "n1");
        server.challenge(server.expectSubscribe(WAIT), "ims.test", "n2");
        assertEquals(407, subscribed.join().errorCode(), subscribed.join().toString());
        assertNull(server.pollSubscribe(Duration.ofMillis(500)), "answered once only");

        // A refusal is passed on with its code, and the same target may be tried again.
        CompletableFuture<RpcReply> refused = alice.call("presence.subscribe", params().put("to", server.uri("dave")));
        server.answer(server.expectSubscribe(WAIT), 403, "Forbidden", "");
        assertEquals(403, refused.join().errorCode());
    }

    @Test
    void imsModePublishesTheWebUsersPresence() {
        PresenceServer server = keep(PresenceServer.start());
        // The server is registrar and outbound proxy: every request of the gateway reaches it.
        GatewayHarness gateway = keep(GatewayHarness.withRegistrar(server.uri(), server.uri(), "ims.test"));
        WsClient alice = gateway.login("alice-token");
        server.answer(server.expectRegister(WAIT), 200, "OK", "Expires: 600\r\n");
        alice.awaitEvent("registration.state", p -> true, WAIT);

        CompletableFuture<RpcReply> published = alice.call("presence.publish",
                params().put("status", "busy").put("note", "in a meeting"));
        TextSipPhone.Message publish = server.expectPublish(WAIT);
        assertTrue(publish.firstLine().startsWith("PUBLISH sip:alice@ims.test "), publish.firstLine());
        assertEquals("presence", publish.header("Event"));
        assertTrue(publish.body().contains("<basic>open</basic>") && publish.body().contains("<rpid:busy/>")
                && publish.body().contains("in a meeting"), publish.body());
        server.challenge(publish, "ims.test", "n1");
        TextSipPhone.Message answered = server.expectPublish(WAIT);
        assertTrue(answered.header("Proxy-Authorization").contains("username=\"alice\""));
        server.answer(answered, 200, "OK", "SIP-ETag: etag-1\r\nExpires: 600\r\n");
        assertFalse(published.join().isError(), published.join().toString());

        CompletableFuture<RpcReply> offline = alice.call("presence.publish", params().put("status", "offline"));
        TextSipPhone.Message modify = server.expectPublish(WAIT);
        assertEquals("etag-1", modify.header("SIP-If-Match"));
        assertTrue(modify.body().contains("<basic>closed</basic>"), modify.body());
        server.answer(modify, 200, "OK", "SIP-ETag: etag-2\r\nExpires: 600\r\n");
        assertFalse(offline.join().isError());

        alice.callOk("session.logout", params(), WAIT);
        TextSipPhone.Message removal = server.expectPublish(WAIT);
        assertEquals("0", removal.header("Expires"));
        assertEquals("etag-2", removal.header("SIP-If-Match"));
        server.answer(removal, 200, "OK", "");
    }

    @Test
    void webUsersWatchEachOther() {
        GatewayHarness gateway = keep(GatewayHarness.start());
        WsClient alice = gateway.login("alice-token");
        alice.callOk("presence.subscribe", params().put("to", "bob"), WAIT);
        assertEquals("offline", nextUpdate(alice, "bob").path("status").asText());

        WsClient bob = gateway.login("bob-token");
        assertEquals("available", nextUpdate(alice, "bob").path("status").asText());
        bob.callOk("presence.publish", params().put("status", "busy").put("note", "in a meeting"), WAIT);
        JsonNode busy = nextUpdate(alice, "bob");
        assertEquals("busy", busy.path("status").asText());
        assertEquals("in a meeting", busy.path("note").asText());

        // A second session of alice subscribing gets the current state at once.
        WsClient alice2 = gateway.login("alice-token");
        alice2.callOk("presence.subscribe", params().put("to", "bob"), WAIT);
        assertEquals("busy", nextUpdate(alice2, "bob").path("status").asText());

        // Bad input: a clear error, and nothing changes for anyone.
        assertEquals(-32602, bob.call("presence.publish", params().put("status", "dnd"), WAIT).errorCode());
        assertEquals(404, alice.call("presence.subscribe", params().put("to", "nobody"), WAIT).errorCode());

        bob.callOk("session.logout", params(), WAIT);
        assertEquals("offline", nextUpdate(alice, "bob").path("status").asText());
        assertEquals("offline", nextUpdate(alice2, "bob").path("status").asText());

        alice.callOk("presence.unsubscribe", params().put("to", "bob"), WAIT);
        gateway.login("bob-token");
        assertEquals("available", nextUpdate(alice2, "bob").path("status").asText());
        assertTrue(alice.eventLog().poll(m -> "presence.update".equals(m.path("method").asText()),
                Duration.ofMillis(500)).isEmpty(), "nothing after unsubscribe");
    }

    @Test
    void presenceCrossesNodes() throws Exception {
        TestRedis redis = keep(TestRedis.fromEnvironmentOrEmbedded());
        String prefix = "it-presence-" + UUID.randomUUID() + ":";
        GatewayHarness a = keep(GatewayHarness.clusterNode("node-a", redis.uri(), prefix));
        GatewayHarness b = keep(GatewayHarness.clusterNode("node-b", redis.uri(), prefix, Duration.ofSeconds(1)));
        WsClient bob = b.login("bob-token");
        WsClient alice = a.login("alice-token");
        alice.callOk("presence.subscribe", params().put("to", "bob"), WAIT);
        assertEquals("available", nextUpdate(alice, "bob").path("status").asText());
        bob.callOk("presence.publish", params().put("status", "away"), WAIT);
        assertEquals("away", nextUpdate(alice, "bob").path("status").asText());
        // Bob's socket drops and his session expires after the resume window: offline.
        bob.close();
        assertEquals("offline", nextUpdate(alice, "bob").path("status").asText());
    }

    private static JsonNode nextUpdate(WsClient client, String user) {
        return client.awaitEvent("presence.update", p -> user.equals(p.path("user").asText()), WAIT);
    }
}
