package dev.passerelle.gateway.sip;

import static dev.passerelle.gateway.sip.RegisteredPeer.AOR;
import static dev.passerelle.gateway.sip.SipTestSupport.WAIT;
import static dev.passerelle.gateway.sip.SipTestSupport.cseq;
import static dev.passerelle.gateway.sip.SipTestSupport.failure;
import static dev.passerelle.gateway.sip.SipTestSupport.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PUBLISH in IMS mode (RFC 3903) against a scripted server that is registrar, outbound proxy and
 * presence agent: challenge answered once, entity tags, modification, refresh, 412, removal; and
 * an incoming SUBSCRIBE, which the gateway does not serve.
 */
class PresencePublicationTest {


    private JainSipService service;
    private RawSipPeer server;
    private final RecordingEvents events = new RecordingEvents();

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
    void publishModifyRefreshAndRemove() throws Exception {
        startRegistered();
        CompletableFuture<Void> first = service.publish(AOR, PresenceStatus.BUSY, "call").toCompletableFuture();
        SipText p1 = nextPublish();
        assertEquals("PUBLISH " + AOR + " SIP/2.0", p1.firstLine());
        assertEquals("presence", p1.header("Event"));
        assertEquals("application/pidf+xml", p1.header("Content-Type"));
        assertEquals("3600", p1.header("Expires"));
        assertNull(p1.header("SIP-If-Match"));
        assertEquals(new Pidf.Presence(PresenceStatus.BUSY, "call"), Pidf.parse(p1.body()));
        server.send(with(SipTestSupport.response(p1, 407, "Proxy Authentication Required", "x1", server.port(), null),
                "Proxy-Authenticate: Digest realm=\"ims.test\", nonce=\"p1\", qop=\"auth\"\r\n"));
        SipText p1b = nextPublish();
        assertEquals(p1.callId(), p1b.callId());
        assertEquals(cseq(p1) + 1, cseq(p1b));
        assertTrue(p1b.header("Proxy-Authorization").contains("nonce=\"p1\""));
        server.send(with(SipTestSupport.response(p1b, 200, "OK", "x1", server.port(), null),
                "SIP-ETag: e1\r\nExpires: 2\r\n"));
        first.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // 2 s granted: refreshed without a body, naming the entity tag (RFC 3903 §4.3).
        SipText refresh = nextPublish();
        assertEquals("e1", refresh.header("SIP-If-Match"));
        assertEquals("", refresh.body());
        assertNull(refresh.header("Content-Type"));
        server.send(with(SipTestSupport.response(refresh, 200, "OK", "x1", server.port(), null),
                "SIP-ETag: e2\r\nExpires: 600\r\n"));

        // A modification names the new tag; a 412 makes it go again as an initial publication.
        CompletableFuture<Void> modify = service.publish(AOR, PresenceStatus.OFFLINE, null).toCompletableFuture();
        SipText p2 = nextPublish();
        assertEquals("e2", p2.header("SIP-If-Match"));
        assertTrue(p2.body().contains("<basic>closed</basic>"), p2.body());
        server.send(SipTestSupport.response(p2, 412, "Conditional Request Failed", "x1", server.port(), null));
        SipText p3 = nextPublish();
        assertNull(p3.header("SIP-If-Match"));
        assertEquals(p2.body(), p3.body());
        server.send(with(SipTestSupport.response(p3, 200, "OK", "x1", server.port(), null),
                "SIP-ETag: e3\r\nExpires: 600\r\n"));
        modify.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        CompletableFuture<Void> removed = service.unpublish(AOR).toCompletableFuture();
        SipText removal = nextPublish();
        assertEquals("0", removal.header("Expires"));
        assertEquals("e3", removal.header("SIP-If-Match"));
        server.send(SipTestSupport.response(removal, 200, "OK", "x1", server.port(), null));
        removed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, service.publicationCount());
    }

    @Test
    void aSecondChallengeOrARefusalFailsThePublish() throws Exception {
        startRegistered();
        CompletableFuture<Void> first = service.publish(AOR, PresenceStatus.AWAY, null).toCompletableFuture();
        SipText p1 = nextPublish();
        server.send(with(SipTestSupport.response(p1, 401, "Unauthorized", "x1", server.port(), null),
                "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"a\"\r\n"));
        SipText p2 = nextPublish();
        server.send(with(SipTestSupport.response(p2, 401, "Unauthorized", "x1", server.port(), null),
                "WWW-Authenticate: Digest realm=\"ims.test\", nonce=\"b\"\r\n"));
        assertEquals(ErrorCode.UNAUTHORIZED, failure(first).code());
        assertNull(server.poll(m -> "PUBLISH".equals(m.method()), Duration.ofMillis(300)), "answered once only");

        CompletableFuture<Void> refused = service.publish(AOR, PresenceStatus.AWAY, null).toCompletableFuture();
        server.send(SipTestSupport.response(nextPublish(), 489, "Bad Event", "x1", server.port(), null));
        assertEquals(ErrorCode.BAD_REQUEST, failure(refused).code());
    }

    @Test
    void anIncomingSubscribeIsNotServed() throws Exception {
        startRegistered();
        server.send(SipTestSupport.request("SUBSCRIBE", "sip:alice@127.0.0.1:" + service.port(), server.port(), "UDP",
                "sub-1", "<sip:watcher@far.test>;tag=w1", "<sip:alice@ims.test>", 1,
                "Event: presence\r\nExpires: 600\r\n", null));
        SipText answer = server.expect(m -> m.isResponse() && "SUBSCRIBE".equals(m.cseqMethod()), WAIT, "answer");
        assertEquals(405, answer.status());
        assertTrue(!String.join(",", answer.all("Allow")).contains("SUBSCRIBE"), answer.all("Allow").toString());
    }

    /** The peer is registrar and outbound proxy; alice is registered there. */
    private void startRegistered() throws Exception {
        RegisteredPeer registered = RegisteredPeer.start(events, "");
        service = registered.service();
        server = registered.peer();
    }

    private SipText nextPublish() throws InterruptedException {
        return server.expect(m -> "PUBLISH".equals(m.method()), WAIT, "PUBLISH");
    }
}
