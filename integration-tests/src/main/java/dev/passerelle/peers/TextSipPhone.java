package dev.passerelle.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A SIP phone over UDP on loopback whose every message is written by the test, for the header
 * details a stack would hide or do on its own: RSeq and RAck (RFC 3262), Session-Expires and
 * Min-SE (RFC 4028), UPDATE (RFC 3311), a peer that stops refreshing. What it receives queues up;
 * tests wait on the queue with a timeout.
 */
public final class TextSipPhone implements AutoCloseable {

    /** A received message, split into first line, headers and body. */
    public record Message(String firstLine, List<String[]> headers, String body, String raw) {

        static Message parse(String raw) {
            int end = raw.indexOf("\r\n\r\n");
            String head = end < 0 ? raw : raw.substring(0, end);
            String[] lines = head.split("\r\n");
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
                }
            }
            return new Message(lines[0], headers, end < 0 ? "" : raw.substring(end + 4), raw);
        }

        public boolean isResponse(int status, String cseqMethod) {
            return firstLine.startsWith("SIP/2.0 " + status + " ") && header("CSeq").endsWith(" " + cseqMethod);
        }

        public boolean isRequest(String method) {
            return firstLine.startsWith(method + " ");
        }

        /** The first value of a header (long name or compact form), or null. */
        public String header(String name) {
            String compact = switch (name.toLowerCase(Locale.ROOT)) {
                case "call-id" -> "i";
                case "from" -> "f";
                case "to" -> "t";
                case "via" -> "v";
                case "contact" -> "m";
                case "session-expires" -> "x";
                case "supported" -> "k";
                default -> name;
            };
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name) || h[0].equalsIgnoreCase(compact)) {
                    return h[1];
                }
            }
            return null;
        }

        /** Every value of a header, in order. */
        public List<String> all(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
        }

        /** The tag parameter of the To header. */
        public String toTag() {
            return tag(header("To"));
        }

        /** The URI of the Contact header, without angle brackets. */
        public String contactUri() {
            String c = header("Contact");
            int lt = c.indexOf('<');
            return lt >= 0 ? c.substring(lt + 1, c.indexOf('>')) : c.split(";")[0].trim();
        }

        static String tag(String nameAddr) {
            for (String p : nameAddr.split(";")) {
                if (p.trim().toLowerCase(Locale.ROOT).startsWith("tag=")) {
                    return p.trim().substring(4);
                }
            }
            return null;
        }
    }

    private final DatagramSocket udp;
    private final int gatewayPort;
    private final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();

    private TextSipPhone(DatagramSocket udp, int gatewayPort) {
        this.udp = udp;
        this.gatewayPort = gatewayPort;
        Thread reader = new Thread(this::read, "text-sip-phone-" + udp.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    /** A phone on a free loopback port that sends to the gateway's SIP port. */
    public static TextSipPhone start(int gatewayPort) {
        try {
            return new TextSipPhone(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
                    gatewayPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return udp.getLocalPort();
    }

    /** This phone's address of record, reachable by the gateway. */
    public String uri() {
        return "sip:phone@127.0.0.1:" + port();
    }

    public void send(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            udp.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), gatewayPort));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next message matching {@code filter} (others are skipped); fails after {@code timeout}. */
    public Message expect(Predicate<Message> filter, Duration timeout, String what) {
        Message m = poll(filter, timeout);
        if (m == null) {
            throw new AssertionError("the phone received no " + what + " within " + timeout);
        }
        return m;
    }

    /** The next message matching {@code filter}, or null after {@code timeout}. */
    public Message poll(Predicate<Message> filter, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                Message m = inbox.poll(left, TimeUnit.NANOSECONDS);
                if (m != null && filter.test(m)) {
                    return m;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * A request of this phone; {@code extra} is more header lines, each ending CRLF, and {@code
     * body} an SDP or null.
     */
    public String request(String method, String requestUri, String callId, String from, String to, long cseq,
            String extra, String body) {
        String b = body == null ? "" : body;
        return method + " " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "")
                + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + from + "\r\n"
                + "To: " + to + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <" + uri() + ">\r\n"
                + extra
                + (body == null ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: " + b.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + b;
    }

    /** A response of this phone to {@code request}, with {@code toTag} added when the To has none. */
    public String response(Message request, int status, String reason, String toTag, String extra, String body) {
        String b = body == null ? "" : body;
        StringBuilder s = new StringBuilder("SIP/2.0 " + status + " " + reason + "\r\n");
        for (String via : request.all("Via")) {
            s.append("Via: ").append(via).append("\r\n");
        }
        String to = request.header("To");
        if (toTag != null && Message.tag(to) == null) {
            to = to + ";tag=" + toTag;
        }
        s.append("From: ").append(request.header("From")).append("\r\n")
                .append("To: ").append(to).append("\r\n")
                .append("Call-ID: ").append(request.header("Call-ID")).append("\r\n")
                .append("CSeq: ").append(request.header("CSeq")).append("\r\n");
        if (status > 100 && status < 300) {
            s.append("Contact: <").append(uri()).append(">\r\n");
        }
        s.append(extra);
        if (body != null) {
            s.append("Content-Type: application/sdp\r\n");
        }
        s.append("Content-Length: ").append(b.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n").append(b);
        return s.toString();
    }

    private void read() {
        byte[] buf = new byte[65_536];
        while (!udp.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
                inbox.add(Message.parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        udp.close();
    }
}
