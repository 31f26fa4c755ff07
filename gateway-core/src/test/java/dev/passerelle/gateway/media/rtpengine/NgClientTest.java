package dev.passerelle.gateway.media.rtpengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.media.rtpengine.NgClient.NgUnavailableException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a UDP peer made here: a socket on a free loopback port that answers, drops,
 * misleads or stays silent as each test needs, and records what it received.
 */
class NgClientTest {

    private static final Duration TRY = Duration.ofMillis(200);
    private static final Map<String, Object> PING = Map.of("command", "ping");

    private final List<Peer> peers = new ArrayList<>();

    @AfterEach
    void closePeers() {
        peers.forEach(Peer::close);
    }

    @Test
    void sendsCookieSpaceBencodeAndReturnsTheReplyDictionary() throws Exception {
        Peer peer = peer((request, n) -> List.of(request.reply("d6:result4:ponge")));
        Map<String, Object> reply = new NgClient(TRY, 3).request(peer.address(), PING);

        assertEquals(Map.of("result", "pong"), reply);
        Request sent = peer.next();
        assertEquals("d7:command4:pinge", sent.body());
        assertTrue(sent.cookie().matches("[0-9a-f]{24}"), sent.cookie());
        assertNull(peer.poll(), "one request, no retry");
    }

    @Test
    void retriesWithTheSameCookieWhenADatagramIsLost() throws Exception {
        Peer peer = peer((request, n) -> n == 1 ? List.of() : List.of(request.reply("d6:result2:oke")));
        Map<String, Object> reply = new NgClient(TRY, 3).request(peer.address(), Map.of("command", "delete"));

        assertEquals("ok", reply.get("result"));
        Request first = peer.next();
        Request second = peer.next();
        assertEquals(first.cookie(), second.cookie(), "a retry reuses the cookie, so rtpengine answers from its cache");
        assertEquals(first.body(), second.body());
        assertNull(peer.poll());
    }

    @Test
    void ignoresRepliesWithAnotherCookieAndDatagramsWithoutOne() throws Exception {
        Peer peer = peer((request, n) -> List.of(
                request.raw("0123456789abcdef01234567 d6:result5:wronge"),
                request.raw("no cookie here"),
                request.reply("d6:result2:ok7:warning5:righte")));
        Map<String, Object> reply = new NgClient(TRY, 1).request(peer.address(), PING);

        assertEquals(Map.of("result", "ok", "warning", "right"), reply);
    }

    @Test
    void givesUpAfterEveryTryWithinTheOverallTimeout() throws Exception {
        Peer peer = peer((request, n) -> List.of());
        long start = System.nanoTime();
        NgUnavailableException e = assertThrows(NgUnavailableException.class,
                () -> new NgClient(TRY, 3).request(peer.address(), PING));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("no reply to ping after 3 tries of 200 ms"), e.getMessage());
        assertTrue(took.compareTo(TRY.multipliedBy(3)) >= 0, "waited every try: " + took);
        assertTrue(took.compareTo(TRY.multipliedBy(3).plusSeconds(1)) < 0, "bounded: " + took);
        Set<String> cookies = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            cookies.add(peer.next().cookie());
        }
        assertEquals(1, cookies.size(), "three tries, one cookie");
        assertNull(peer.poll());
    }

    @Test
    void aReplyTooLateForItsRequestDoesNotAnswerTheNextOne() throws Exception {
        // The first request gets no reply in its time; the reply to it then arrives just before
        // the second request's own, on the second request's socket.
        AtomicReference<String> firstCookie = new AtomicReference<>();
        Peer peer = peer((request, n) -> {
            if (n == 1) {
                firstCookie.set(request.cookie());
                return List.of();
            }
            return List.of(request.raw(firstCookie.get() + " d6:result4:latee"), request.reply("d6:result2:oke"));
        });
        NgClient client = new NgClient(TRY, 1);
        assertThrows(NgUnavailableException.class, () -> client.request(peer.address(), PING));
        assertEquals("ok", client.request(peer.address(), PING).get("result"));
    }

    @Test
    void failsFastWhenNothingListens() throws Exception {
        InetSocketAddress closed;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
        Duration slowTry = Duration.ofSeconds(2);
        long start = System.nanoTime();
        InetSocketAddress target = closed;
        NgUnavailableException e = assertThrows(NgUnavailableException.class,
                () -> new NgClient(slowTry, 3).request(target, PING));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(e.getMessage().contains("port unreachable"), e.getMessage());
        assertTrue(took.compareTo(slowTry) < 0, "ICMP port unreachable ends the wait early: " + took);
    }

    @Test
    void aMalformedReplyMakesTheAddressUnavailable() throws Exception {
        Peer peer = peer((request, n) -> List.of(request.reply("d6:result2:ok")));
        NgUnavailableException e = assertThrows(NgUnavailableException.class,
                () -> new NgClient(TRY, 3).request(peer.address(), PING));
        assertTrue(e.getMessage().contains("malformed reply: bencode: truncated input"), e.getMessage());

        Peer listPeer = peer((request, n) -> List.of(request.reply("l2:oke")));
        e = assertThrows(NgUnavailableException.class, () -> new NgClient(TRY, 3).request(listPeer.address(), PING));
        assertTrue(e.getMessage().contains("not a dictionary"), e.getMessage());
    }

    @Test
    void refusesARequestLargerThanADatagramWithoutSendingIt() throws Exception {
        Peer peer = peer((request, n) -> List.of(request.reply("d6:result2:oke")));
        Map<String, Object> huge = Map.of("command", "offer", "sdp", "v=0\r\n" + "a=x\r\n".repeat(14_000));
        GatewayException e = assertThrows(GatewayException.class,
                () -> new NgClient(TRY, 1).request(peer.address(), huge));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
        assertTrue(e.getMessage().contains("more than one UDP datagram"), e.getMessage());
        assertNull(peer.poll());
    }

    @Test
    void concurrentRequestsEachGetTheirOwnReply() throws Exception {
        // The peer answers in reverse order of arrival, so only the cookie can pair them up.
        int count = 8;
        LinkedBlockingQueue<Request> held = new LinkedBlockingQueue<>();
        Peer peer = peer((request, n) -> {
            held.add(request);
            if (held.size() < count) {
                return List.of();
            }
            List<DatagramPacket> replies = new ArrayList<>();
            List<Request> all = new ArrayList<>(held);
            for (int i = all.size() - 1; i >= 0; i--) {
                String id = all.get(i).body().replaceAll(".*7:call-id1:(\\d).*", "$1");
                replies.add(all.get(i).reply("d6:result2:ok7:call-id1:" + id + "e"));
            }
            return replies;
        });
        NgClient client = new NgClient(Duration.ofSeconds(3), 1);
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<Map<String, Object>>> replies = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String id = String.valueOf(i);
                replies.add(pool.submit(() -> client.request(peer.address(), Map.of("command", "query", "call-id", id))));
            }
            Set<String> cookies = new HashSet<>();
            for (int i = 0; i < count; i++) {
                assertEquals(String.valueOf(i), replies.get(i).get(5, TimeUnit.SECONDS).get("call-id"));
            }
            held.forEach(r -> cookies.add(r.cookie()));
            assertEquals(count, cookies.size(), "every request has its own cookie");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyRequestGetsAFreshCookie() throws Exception {
        Peer peer = peer((request, n) -> List.of(request.reply("d6:result4:ponge")));
        NgClient client = new NgClient(TRY, 1);
        client.request(peer.address(), PING);
        client.request(peer.address(), PING);
        assertNotEquals(peer.next().cookie(), peer.next().cookie());
    }

    @Test
    void describesAnAddressAsItIsConfigured() {
        assertEquals("udp:127.0.0.1:2223", NgClient.describe(new InetSocketAddress("127.0.0.1", 2223)));
        assertEquals("udp:[0:0:0:0:0:0:0:1]:2223", NgClient.describe(new InetSocketAddress("::1", 2223)));
    }

    // ---- the test peer --------------------------------------------------------------------------

    private record Request(String cookie, String body, SocketAddress from) {
        /** A reply to this request: its cookie, a space, then {@code dictionary}. */
        DatagramPacket reply(String dictionary) {
            return raw(cookie + " " + dictionary);
        }

        /** Any datagram back to the sender of this request. */
        DatagramPacket raw(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return new DatagramPacket(bytes, bytes.length, from);
        }
    }

    /** What the peer sends back for the {@code n}th datagram it received (1-based). */
    private interface Behaviour {
        List<DatagramPacket> replies(Request request, int n);
    }

    private Peer peer(Behaviour behaviour) throws SocketException {
        Peer peer = new Peer(behaviour);
        peers.add(peer);
        return peer;
    }

    private static final class Peer implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        private final LinkedBlockingQueue<Request> received = new LinkedBlockingQueue<>();
        private final Thread thread;

        Peer(Behaviour behaviour) throws SocketException {
            thread = new Thread(() -> serve(behaviour), "ng-test-peer");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve(Behaviour behaviour) {
            int n = 0;
            byte[] buffer = new byte[70_000];
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                    String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                    int space = text.indexOf(' ');
                    Request request = new Request(text.substring(0, space), text.substring(space + 1),
                            packet.getSocketAddress());
                    received.add(request);
                    for (DatagramPacket reply : behaviour.replies(request, ++n)) {
                        socket.send(reply);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        Request next() throws InterruptedException {
            Request r = received.poll(5, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("the peer received no (further) datagram");
            }
            return r;
        }

        /** A datagram received beyond those already taken, waiting briefly; null if none. */
        Request poll() throws InterruptedException {
            return received.poll(TRY.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            socket.close();
            thread.interrupt();
        }
    }
}
