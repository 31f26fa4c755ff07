package dev.passerelle.peers;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The media end of a plain SIP phone: a real UDP RTP socket on 127.0.0.1 that describes itself in
 * SDP (PCMU, optionally {@code telephone-event/8000}), sends 20 ms PCMU silence to where it is
 * told, and decodes the RFC 4733 telephone-event packets it receives (RFC 4733 §2.3: event, E bit,
 * volume, duration, all packets of one event carrying its start timestamp).
 */
public final class RtpPhoneMedia implements AutoCloseable {

    /** The payload type this phone gives telephone-event/8000. */
    public static final int TELEPHONE_EVENT_PT = 101;

    /** One received telephone-event packet. */
    public record EventPacket(int payloadType, int sequence, long timestamp, boolean marker, int event, boolean end,
            int volume, int duration) {}

    private final DatagramSocket socket;
    private final ScheduledExecutorService sender;
    private final Thread receiver;
    private final List<EventPacket> events = new ArrayList<>();
    private long audioPackets;
    /** The stream's state, touched by the sender thread only. */
    private final int ssrc = ThreadLocalRandom.current().nextInt();
    private int rtpSequence = ThreadLocalRandom.current().nextInt(0, 65_536);
    private volatile long rtpTimestamp = ThreadLocalRandom.current().nextLong(0, 1L << 32);

    private RtpPhoneMedia(DatagramSocket socket) {
        this.socket = socket;
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rtp-phone-send-" + socket.getLocalPort());
            t.setDaemon(true);
            return t;
        });
        this.receiver = new Thread(this::receive, "rtp-phone-receive-" + socket.getLocalPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    /** A socket on a free port of 127.0.0.1. */
    public static RtpPhoneMedia open() throws IOException {
        return new RtpPhoneMedia(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** An offer or answer for this socket: PCMU, and telephone-event/8000 when {@code telephoneEvent}. */
    public String sdp(boolean telephoneEvent) {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        return "v=0\r\n"
                + "o=phone " + id + " " + id + " IN IP4 127.0.0.1\r\n"
                + "s=-\r\n"
                + "c=IN IP4 127.0.0.1\r\n"
                + "t=0 0\r\n"
                + "m=audio " + port() + " RTP/AVP 0" + (telephoneEvent ? " " + TELEPHONE_EVENT_PT : "") + "\r\n"
                + "a=rtpmap:0 PCMU/8000\r\n"
                + (telephoneEvent ? "a=rtpmap:" + TELEPHONE_EVENT_PT + " telephone-event/8000\r\n"
                        + "a=fmtp:" + TELEPHONE_EVENT_PT + " 0-16\r\n" : "")
                + "a=ptime:20\r\n"
                + "a=sendrecv\r\n";
    }

    /** Starts sending PCMU silence (0xFF, RFC 3551 §4.5.14), one 20 ms packet every 20 ms, to {@code target}. */
    public void sendSilenceTo(SocketAddress target) {
        byte[] silence = new byte[160];
        Arrays.fill(silence, (byte) 0xFF);
        sender.scheduleAtFixedRate(() -> {
            send(target, 0, false, rtpTimestamp, silence);
            rtpTimestamp = (rtpTimestamp + 160) & 0xFFFFFFFFL;
        }, 0, 20, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends {@code event} (RFC 4733 §3.2 code) to {@code target} in the same RTP stream as the
     * silence, as a phone does (RFC 4733 §2.5): one packet every 20 ms for {@code packets} packets,
     * all with the event's start timestamp, the first with the marker bit, the duration growing
     * by 160 (20 ms at 8 kHz), then the end packet (E bit) three times.
     */
    public void sendEvent(SocketAddress target, int event, int packets) {
        long start = rtpTimestamp;
        for (int i = 0; i < packets + 3; i++) {
            int n = i;
            sender.schedule(() -> {
                boolean end = n >= packets;
                int duration = 160 * Math.min(n + 1, packets);
                byte[] payload = {(byte) event, (byte) ((end ? 0x80 : 0) | 10), (byte) (duration >> 8), (byte) duration};
                send(target, TELEPHONE_EVENT_PT, n == 0, start, payload);
            }, 20L * i, TimeUnit.MILLISECONDS);
        }
    }

    /** One RTP packet (RFC 3550 §5.1) of this phone's stream; runs on the sender thread only. */
    private void send(SocketAddress target, int payloadType, boolean marker, long timestamp, byte[] payload) {
        byte[] packet = new byte[12 + payload.length];
        packet[0] = (byte) 0x80;
        packet[1] = (byte) ((marker ? 0x80 : 0) | payloadType);
        packet[2] = (byte) (rtpSequence >> 8);
        packet[3] = (byte) rtpSequence;
        packet[4] = (byte) (timestamp >> 24);
        packet[5] = (byte) (timestamp >> 16);
        packet[6] = (byte) (timestamp >> 8);
        packet[7] = (byte) timestamp;
        packet[8] = (byte) (ssrc >> 24);
        packet[9] = (byte) (ssrc >> 16);
        packet[10] = (byte) (ssrc >> 8);
        packet[11] = (byte) ssrc;
        System.arraycopy(payload, 0, packet, 12, payload.length);
        rtpSequence = (rtpSequence + 1) & 0xFFFF;
        try {
            socket.send(new DatagramPacket(packet, packet.length, target));
        } catch (IOException e) {
            // The socket closed with the test: nothing left to send to.
        }
    }

    /**
     * Waits until end packets (E bit) of {@code count} distinct events (told apart by their
     * timestamp) have arrived, and returns every telephone-event packet received so far.
     *
     * @throws AssertionError naming what arrived, if they do not within {@code timeout}
     */
    public List<EventPacket> awaitEndedEvents(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (endedEvents() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(count + " ended telephone-events not received within " + timeout.toMillis()
                            + " ms; got " + events + " and " + audioPackets + " audio packets");
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
            return List.copyOf(events);
        }
    }

    /** Every telephone-event packet received so far. */
    public List<EventPacket> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** How many non-event RTP packets arrived. */
    public long audioPackets() {
        synchronized (events) {
            return audioPackets;
        }
    }

    private long endedEvents() {
        Set<Long> ended = new LinkedHashSet<>();
        for (EventPacket p : events) {
            if (p.end()) {
                ended.add(p.timestamp());
            }
        }
        return ended.size();
    }

    private void receive() {
        byte[] buffer = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket in = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(in);
            } catch (IOException e) {
                return;
            }
            byte[] d = in.getData();
            if (in.getLength() < 12 || (d[0] & 0xC0) != 0x80) {
                continue;
            }
            int pt = d[1] & 0x7F;
            synchronized (events) {
                if (pt == TELEPHONE_EVENT_PT && in.getLength() >= 16) {
                    // RFC 4733 §2.3: event (8 bits), E, R, volume (6 bits), duration (16 bits).
                    events.add(new EventPacket(pt, ((d[2] & 0xFF) << 8) | (d[3] & 0xFF),
                            ((d[4] & 0xFFL) << 24) | ((d[5] & 0xFFL) << 16) | ((d[6] & 0xFFL) << 8) | (d[7] & 0xFFL),
                            (d[1] & 0x80) != 0, d[12] & 0xFF, (d[13] & 0x80) != 0, d[13] & 0x3F,
                            ((d[14] & 0xFF) << 8) | (d[15] & 0xFF)));
                    events.notifyAll();
                } else {
                    audioPackets++;
                }
            }
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
        socket.close();
    }
}
