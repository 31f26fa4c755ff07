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
        int ssrc = ThreadLocalRandom.current().nextInt();
        int[] seq = {ThreadLocalRandom.current().nextInt(0, 65_536)};
        long[] ts = {ThreadLocalRandom.current().nextLong(0, 1L << 32)};
        sender.scheduleAtFixedRate(() -> {
            byte[] packet = new byte[12 + 160];
            packet[0] = (byte) 0x80;
            packet[1] = 0;
            packet[2] = (byte) (seq[0] >> 8);
            packet[3] = (byte) seq[0];
            packet[4] = (byte) (ts[0] >> 24);
            packet[5] = (byte) (ts[0] >> 16);
            packet[6] = (byte) (ts[0] >> 8);
            packet[7] = (byte) ts[0];
            packet[8] = (byte) (ssrc >> 24);
            packet[9] = (byte) (ssrc >> 16);
            packet[10] = (byte) (ssrc >> 8);
            packet[11] = (byte) ssrc;
            Arrays.fill(packet, 12, packet.length, (byte) 0xFF);
            seq[0] = (seq[0] + 1) & 0xFFFF;
            ts[0] = (ts[0] + 160) & 0xFFFFFFFFL;
            try {
                socket.send(new DatagramPacket(packet, packet.length, target));
            } catch (IOException e) {
                // The socket closed with the test: nothing left to send to.
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
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
