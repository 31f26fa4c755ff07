package dev.passerelle.gateway.media.rtpengine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the DTMF events rtpengine detects, as its {@code --dtmf-log-dest} option sends them:
 * one UDP datagram per event once it ended, a JSON object such as
 * {@code {"callid":"c1","source_tag":"sip","tags":["web","sip"],"type":"DTMF","event":7,
 * "duration":160,"volume":10}} ({@code event} is the RFC 4733 §3.2 event code). rtpengine 10.5
 * has no per-call destination (its ng key {@code DTMF-log-dest} came later), so the daemon must be
 * started with this address.
 */
final class DtmfLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DtmfLog.class);
    /** The sixteen tones, indexed by their RFC 4733 §3.2 event code. */
    private static final String TONES = "0123456789*#ABCD";
    /** rtpengine's datagrams are some 200 bytes; anything far larger is not one of them. */
    private static final int MAX_DATAGRAM = 4096;

    /** One ended event. */
    record Event(String callId, String sourceTag, char tone) {}

    /** What to do with each event. */
    @FunctionalInterface
    interface Handler {
        void event(Event event);
    }

    private final DatagramSocket socket;
    private final Thread thread;
    private final ObjectMapper json = new ObjectMapper();

    private DtmfLog(DatagramSocket socket, Handler handler) {
        this.socket = socket;
        this.thread = new Thread(() -> receive(handler), "rtpengine-dtmf-" + socket.getLocalPort());
        thread.setDaemon(true);
    }

    /** Binds {@code address} and hands each event received there to {@code handler}, on its own thread. */
    static DtmfLog listen(InetSocketAddress address, Handler handler) throws SocketException {
        DtmfLog log = new DtmfLog(new DatagramSocket(address), handler);
        log.thread.start();
        return log;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The event a datagram carries; null for anything else (logged at DEBUG). */
    Event parse(byte[] data, int length) {
        JsonNode node;
        try {
            node = json.readTree(data, 0, length);
        } catch (IOException e) {
            LOG.debug("rtpengine DTMF log: not JSON: {}", e.getMessage());
            return null;
        }
        if (node == null || !"DTMF".equals(node.path("type").asText()) || !node.path("callid").isTextual()
                || !node.path("source_tag").isTextual() || !node.path("event").canConvertToInt()) {
            LOG.debug("rtpengine DTMF log: not a DTMF event: {}", node);
            return null;
        }
        int code = node.path("event").asInt();
        if (code < 0 || code >= TONES.length()) {
            // RFC 4733 §3.2 events other than the sixteen tones (e.g. flash, 16) are not tones.
            LOG.debug("rtpengine DTMF log: event {} is not a DTMF tone", code);
            return null;
        }
        return new Event(node.path("callid").asText(), node.path("source_tag").asText(), TONES.charAt(code));
    }

    private void receive(Handler handler) {
        byte[] buffer = new byte[MAX_DATAGRAM];
        while (!socket.isClosed()) {
            DatagramPacket in = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(in);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.warn("rtpengine DTMF log on {}: {}", socket.getLocalSocketAddress(), e.getMessage());
                }
                return;
            }
            Event event = parse(in.getData(), in.getLength());
            if (event != null) {
                try {
                    handler.event(event);
                } catch (RuntimeException e) {
                    LOG.warn("rtpengine DTMF log: event {} of call {} not delivered", event.tone(), event.callId(), e);
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
