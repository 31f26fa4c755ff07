package dev.passerelle.peers;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Raw ng commands to one rtpengine, whoever started it, so that a test or a tool can ask
 * rtpengine itself, not only through the code under test, what it holds. Each command is one UDP
 * datagram with a fresh cookie (rtpengine replays its cached reply to a cookie it has seen) and is
 * not resent.
 */
public final class NgControl {

    private final InetSocketAddress ng;

    public NgControl(InetSocketAddress ng) {
        this.ng = ng;
    }

    public InetSocketAddress address() {
        return ng;
    }

    /**
     * Sends one ng command, a bencoded dictionary as text (e.g. {@code d7:command4:pinge}), and
     * returns the bencoded reply as text, or null if none came within {@code timeout}.
     */
    public String command(String bencodedDictionary, Duration timeout) throws IOException {
        String cookie = Long.toHexString(ThreadLocalRandom.current().nextLong());
        byte[] request = (cookie + " " + bencodedDictionary).getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.connect(ng);
            socket.send(new DatagramPacket(request, request.length));
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buffer = new byte[65_536];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(reply);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
                if (text.startsWith(cookie + " ")) {
                    return text.substring(cookie.length() + 1);
                }
            }
        }
    }

    /** A {@code query} of {@code callId}; the raw bencoded reply, or null if none came within 2 s. */
    public String query(String callId) throws IOException {
        return command("d7:call-id" + callId.getBytes(StandardCharsets.UTF_8).length + ":" + callId
                + "7:command5:querye", Duration.ofSeconds(2));
    }

    /**
     * The ids of the calls rtpengine holds, from its {@code list} command: at most {@code limit}
     * (rtpengine's own default is 32), in rtpengine's order.
     *
     * @throws IOException if no reply came within 2 s, or the reply is not a list of calls
     */
    public List<String> list(int limit) throws IOException {
        String reply = command("d7:command4:list5:limiti" + limit + "ee", Duration.ofSeconds(2));
        if (reply == null) {
            throw new IOException("rtpengine " + ng + " did not reply to list within 2 s");
        }
        // The reply is d5:callsl<string>...e6:result2:oke; bencode lengths count bytes.
        byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
        byte[] head = "d5:callsl".getBytes(StandardCharsets.US_ASCII);
        if (bytes.length < head.length || !new String(bytes, 0, head.length, StandardCharsets.US_ASCII).equals("d5:callsl")) {
            throw new IOException("rtpengine " + ng + " replied to list with " + reply);
        }
        List<String> ids = new ArrayList<>();
        int at = head.length;
        while (at < bytes.length && bytes[at] != 'e') {
            int colon = at;
            while (colon < bytes.length && bytes[colon] != ':') {
                colon++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(bytes, at, colon - at, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("rtpengine " + ng + " replied to list with " + reply, e);
            }
            if (colon + 1 + length > bytes.length) {
                throw new IOException("rtpengine " + ng + " replied to list with " + reply);
            }
            ids.add(new String(bytes, colon + 1, length, StandardCharsets.UTF_8));
            at = colon + 1 + length;
        }
        if (at >= bytes.length) {
            throw new IOException("rtpengine " + ng + " replied to list with " + reply);
        }
        return ids;
    }

    /** The address as the gateway's configuration writes it, with the numeric host. */
    @Override
    public String toString() {
        String host = ng.isUnresolved() ? ng.getHostString() : ng.getAddress().getHostAddress();
        return "udp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + ng.getPort();
    }
}
