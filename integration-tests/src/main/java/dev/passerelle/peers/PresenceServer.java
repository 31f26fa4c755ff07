package dev.passerelle.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A presence server (RFC 3856 notifier, RFC 3903 state agent) and registrar for tests, over UDP on loopback, whose
 * every message the test drives: it answers REGISTERs and SUBSCRIBEs as told (a 407 challenge,
 * 200 with an Expires), sends NOTIFYs with PIDF bodies in a subscription's dialog, and shows the
 * test each SUBSCRIBE the gateway sends (refreshes and {@code Expires: 0} removals included).
 * It binds before the gateway starts (so that the gateway can name it as its registrar) and sends
 * to the port the gateway's messages come from.
 */
public final class PresenceServer implements AutoCloseable {

    /** The To tag of every dialog this server accepts. */
    public static final String TAG = "ps1";

    private final DatagramSocket udp;
    private final BlockingQueue<TextSipPhone.Message> inbox = new LinkedBlockingQueue<>();
    private volatile int gatewayPort;
    private long notifyCseq = 1;

    private PresenceServer(DatagramSocket udp) {
        this.udp = udp;
        Thread reader = new Thread(this::read, "presence-server-" + udp.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    /** A server on a free loopback port. */
    public static PresenceServer start() {
        try {
            return new PresenceServer(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return udp.getLocalPort();
    }

    /** This server as a registrar or proxy URI. */
    public String uri() {
        return "sip:127.0.0.1:" + port();
    }

    /** The presentity {@code user} on this server. */
    public String uri(String user) {
        return "sip:" + user + "@127.0.0.1:" + port();
    }

    public TextSipPhone.Message expectSubscribe(Duration timeout) {
        return expect(m -> m.isRequest("SUBSCRIBE"), timeout, "SUBSCRIBE");
    }

    /** The next SUBSCRIBE within {@code timeout}, or null. */
    public TextSipPhone.Message pollSubscribe(Duration timeout) {
        return poll(m -> m.isRequest("SUBSCRIBE"), timeout);
    }

    public TextSipPhone.Message expectPublish(Duration timeout) {
        return expect(m -> m.isRequest("PUBLISH"), timeout, "PUBLISH");
    }

    public TextSipPhone.Message expectRegister(Duration timeout) {
        return expect(m -> m.isRequest("REGISTER"), timeout, "REGISTER");
    }

    /** A final response to {@code request}; {@code extra} is more header lines, each ending CRLF. */
    public void answer(TextSipPhone.Message request, int status, String reason, String extra) {
        StringBuilder r = new StringBuilder("SIP/2.0 " + status + " " + reason + "\r\n");
        for (String via : request.all("Via")) {
            r.append("Via: ").append(via).append("\r\n");
        }
        String to = request.header("To");
        r.append("From: ").append(request.header("From")).append("\r\n")
                .append("To: ").append(TextSipPhone.Message.tag(to) == null ? to + ";tag=" + TAG : to).append("\r\n")
                .append("Call-ID: ").append(request.header("Call-ID")).append("\r\n")
                .append("CSeq: ").append(request.header("CSeq")).append("\r\n");
        if (status < 300) {
            r.append("Contact: <sip:presence@127.0.0.1:").append(port()).append(">\r\n");
        }
        send(r.append(extra).append("Content-Length: 0\r\n\r\n").toString());
    }

    /** 407 with a Digest challenge of realm {@code realm} and nonce {@code nonce} (RFC 3261 §22.3). */
    public void challenge(TextSipPhone.Message request, String realm, String nonce) {
        answer(request, 407, "Proxy Authentication Required",
                "Proxy-Authenticate: Digest realm=\"" + realm + "\", nonce=\"" + nonce + "\", qop=\"auth\"\r\n");
    }

    /**
     * A NOTIFY in the dialog of {@code subscribe} (RFC 6665 §4.2.2) with {@code Subscription-State:
     * state} and {@code pidf} as its body (none when null); returns the gateway's response.
     */
    public TextSipPhone.Message notify(TextSipPhone.Message subscribe, String state, String pidf, Duration timeout) {
        String body = pidf == null ? "" : pidf;
        String callId = subscribe.header("Call-ID");
        long cseq = notifyCseq++;
        String to = subscribe.header("To");
        String from = TextSipPhone.Message.tag(to) == null ? to + ";tag=" + TAG : to;
        send("NOTIFY " + subscribe.contactUri() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "")
                + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + from + "\r\n"
                + "To: " + subscribe.header("From") + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " NOTIFY\r\n"
                + "Contact: <sip:presence@127.0.0.1:" + port() + ">\r\n"
                + "Event: presence\r\n"
                + "Subscription-State: " + state + "\r\n"
                + (pidf == null ? "" : "Content-Type: application/pidf+xml\r\n")
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
        return expect(m -> m.firstLine().startsWith("SIP/2.0 ") && (cseq + " NOTIFY").equals(m.header("CSeq"))
                && callId.equals(m.header("Call-ID")), timeout, "response to NOTIFY " + cseq);
    }

    /**
     * A PIDF document (RFC 3863) for {@code entity}: one tuple, open or closed, an RPID activity
     * (RFC 4480) when {@code activity} is not null, a note when {@code note} is not null.
     */
    public static String pidf(String entity, boolean open, String activity, String note) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\""
                + " xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"" + entity + "\">\n"
                + "<tuple id=\"t1\"><status><basic>" + (open ? "open" : "closed") + "</basic></status></tuple>\n"
                + (activity == null ? "" : "<dm:person id=\"p1\"><rpid:activities><rpid:" + activity
                        + "/></rpid:activities></dm:person>\n")
                + (note == null ? "" : "<note>" + note + "</note>\n")
                + "</presence>\n";
    }

    /** The status code of a response. */
    public static int status(TextSipPhone.Message response) {
        return Integer.parseInt(response.firstLine().substring(8, 11));
    }

    private TextSipPhone.Message expect(Predicate<TextSipPhone.Message> filter, Duration timeout, String what) {
        TextSipPhone.Message m = poll(filter, timeout);
        if (m == null) {
            throw new AssertionError("the presence server received no " + what + " within " + timeout);
        }
        return m;
    }

    private TextSipPhone.Message poll(Predicate<TextSipPhone.Message> filter, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TextSipPhone.Message m = inbox.poll(left, TimeUnit.NANOSECONDS);
                if (m != null && filter.test(m)) {
                    return m;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void send(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            udp.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), gatewayPort));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read() {
        byte[] buf = new byte[65_536];
        while (!udp.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
                gatewayPort = p.getPort();
                inbox.add(TextSipPhone.Message.parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)));
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
