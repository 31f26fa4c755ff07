package dev.passerelle.gateway.media.rtpengine;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of rtpengine's ng control protocol over UDP: a request is {@code <cookie> <bencoded
 * dictionary>}, its reply {@code <same cookie> <bencoded dictionary>}.
 *
 * <p>Every request gets a fresh random cookie and its own connected socket: the kernel drops
 * datagrams from any other address, a datagram whose cookie differs (a stray or a reply meant for
 * someone else) is ignored, and a reply that arrives after its request gave up reaches a closed
 * socket. A request is sent up to {@code tries} times with the <em>same</em> cookie, so a retry of
 * a command rtpengine already executed returns the reply rtpengine cached for that cookie instead
 * of executing it twice. The whole exchange never takes longer than {@code tries × tryTimeout}.
 *
 * <p>Safe for concurrent use: it holds no per-request state.
 */
final class NgClient {
    private static final Logger LOG = LoggerFactory.getLogger(NgClient.class);

    /** The largest UDP payload over IPv4 (65 535 − 8 − 20): one ng message is one datagram. */
    static final int MAX_DATAGRAM = 65_507;

    /** 96 random bits: unique among every client of one rtpengine, whose reply cache is keyed by cookie alone. */
    private static final int COOKIE_BYTES = 12;

    private final Duration tryTimeout;
    private final int tries;
    private final SecureRandom random = new SecureRandom();

    NgClient(Duration tryTimeout, int tries) {
        if (tryTimeout.isNegative() || tryTimeout.isZero()) {
            throw new IllegalArgumentException("tryTimeout must be positive: " + tryTimeout);
        }
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be at least 1: " + tries);
        }
        this.tryTimeout = tryTimeout;
        this.tries = tries;
    }

    /**
     * The address gave no usable reply: nothing listens there, no reply came in time, or the reply
     * was not bencoded. The caller may try another address.
     */
    static final class NgUnavailableException extends GatewayException {
        private static final long serialVersionUID = 1L;

        NgUnavailableException(String message) {
            super(ErrorCode.SERVICE_UNAVAILABLE, message);
        }

        NgUnavailableException(String message, Throwable cause) {
            super(ErrorCode.SERVICE_UNAVAILABLE, message, cause);
        }
    }

    /**
     * Sends {@code command} to {@code to} and returns the reply dictionary as rtpengine sent it,
     * whatever its {@code result}: interpreting {@code error} is the caller's business.
     *
     * @throws NgUnavailableException if no usable reply came
     * @throws GatewayException {@link ErrorCode#NOT_ACCEPTABLE_HERE} if the request does not fit
     *     in one datagram (an SDP far larger than any real one); nothing is sent then
     */
    Map<String, Object> request(InetSocketAddress to, Map<String, Object> command) {
        String cookie = HexFormat.of().formatHex(randomBytes());
        byte[] body = Bencode.encode(command);
        byte[] head = (cookie + " ").getBytes(StandardCharsets.US_ASCII);
        if (head.length + body.length > MAX_DATAGRAM) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "rtpengine: the " + command.get("command")
                    + " request takes " + (head.length + body.length) + " bytes, more than one UDP datagram ("
                    + MAX_DATAGRAM + ")");
        }
        byte[] payload = new byte[head.length + body.length];
        System.arraycopy(head, 0, payload, 0, head.length);
        System.arraycopy(body, 0, payload, head.length, body.length);

        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(to);
            DatagramPacket out = new DatagramPacket(payload, payload.length);
            DatagramPacket in = new DatagramPacket(new byte[MAX_DATAGRAM + 1], MAX_DATAGRAM + 1);
            for (int attempt = 1; attempt <= tries; attempt++) {
                socket.send(out);
                Map<String, Object> reply = awaitReply(socket, in, head, to, System.nanoTime() + tryTimeout.toNanos());
                if (reply != null) {
                    return reply;
                }
                LOG.debug("rtpengine {}: no reply to {} {} (try {} of {})", to, command.get("command"), cookie,
                        attempt, tries);
            }
        } catch (PortUnreachableException e) {
            // ICMP port unreachable: nobody listens there, so waiting out the retries is pointless.
            throw new NgUnavailableException("rtpengine " + describe(to) + ": port unreachable", e);
        } catch (IOException e) {
            throw new NgUnavailableException("rtpengine " + describe(to) + ": " + e.getMessage(), e);
        }
        throw new NgUnavailableException("rtpengine " + describe(to) + ": no reply to " + command.get("command")
                + " after " + tries + " tries of " + tryTimeout.toMillis() + " ms");
    }

    /** The reply carrying {@code head} (cookie and space) that arrives before the deadline, or null. */
    private static Map<String, Object> awaitReply(DatagramSocket socket, DatagramPacket in, byte[] head,
            InetSocketAddress to, long deadline) throws IOException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            // Rounded up, and the deadline checked again after a timeout, so that a try never
            // ends before its time even when the socket's millisecond timer fires a little early.
            socket.setSoTimeout((int) Math.max(1, (left + 999_999) / 1_000_000));
            in.setLength(in.getData().length);
            try {
                socket.receive(in);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (!startsWith(in, head)) {
                LOG.debug("rtpengine {}: ignored a datagram of {} bytes with another cookie", to, in.getLength());
                continue;
            }
            return dictionary(in, head.length, to);
        }
    }

    private static Map<String, Object> dictionary(DatagramPacket in, int offset, InetSocketAddress to) {
        Object decoded;
        try {
            decoded = Bencode.decode(in.getData(), offset, in.getLength() - offset, MAX_DATAGRAM);
        } catch (Bencode.BencodeException e) {
            throw new NgUnavailableException("rtpengine " + describe(to) + ": malformed reply: " + e.getMessage(), e);
        }
        if (!(decoded instanceof Map<?, ?> map)) {
            throw new NgUnavailableException("rtpengine " + describe(to) + ": malformed reply: not a dictionary");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> reply = (Map<String, Object>) map;
        return reply;
    }

    private static boolean startsWith(DatagramPacket in, byte[] head) {
        if (in.getLength() < head.length) {
            return false;
        }
        byte[] data = in.getData();
        for (int i = 0; i < head.length; i++) {
            if (data[in.getOffset() + i] != head[i]) {
                return false;
            }
        }
        return true;
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[COOKIE_BYTES];
        random.nextBytes(bytes);
        return bytes;
    }

    /** The address as configured: {@code udp:host:port}. */
    static String describe(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return "udp:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
