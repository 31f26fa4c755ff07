package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.peers.Baresip;
import dev.passerelle.peers.PhoneEvent;
import dev.passerelle.peers.SipPhone;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Baresip} launcher against a SIP peer that is not baresip (our JAIN-SIP phone) and
 * against a second baresip: auto-answer, the ctrl_tcp events, dial and hangup commands, and the
 * sndfile recording as the proof that RTP arrived. Debian package {@code baresip}; only with
 * {@code -Pinterop}.
 */
class BaresipInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** One second of decoded G.711: 8000 samples of 16 bits (more if baresip records after resampling). */
    private static final long ONE_SECOND_DECODED = 8_000L * 2;

    @TempDir
    Path dir;

    private final List<AutoCloseable> peers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable peer : peers) {
            peer.close();
        }
    }

    @Test
    void sipPhoneCallsBaresipWhichAnswersRecordsTheRtpAndSeesTheBye() throws Exception {
        Baresip baresip = started(dir.resolve("baresip"));
        SipPhone phone = SipPhone.start();
        peers.add(phone);

        String callId = phone.call(baresip.sipUri(), "127.0.0.1", baresip.sipPort(), phone.sdp());
        PhoneEvent.Response ok = phone.awaitResponse(callId, 200, WAIT);
        Baresip.Event established = baresip.await("CALL_ESTABLISHED", WAIT);
        assertEquals("incoming", established.direction());
        assertTrue(established.peerUri().startsWith("sip:phone@127.0.0.1"), established.json());
        assertEquals(0, baresip.receivedAudioBytes(), "nothing sent yet, nothing recorded");

        try (DatagramSocket rtp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                phone.rtpPort()))) {
            ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
            try {
                sendPcmu(rtp, clock, audioTarget(ok.body()), 100);
                baresip.awaitReceivedAudio(ONE_SECOND_DECODED, WAIT);
            } finally {
                clock.shutdownNow();
            }
        }

        phone.bye(callId);
        phone.awaitResponse(callId, 200, WAIT);
        baresip.await("CALL_CLOSED", WAIT);
    }

    @Test
    void baresipDialsBaresipAudioFlowsBothWaysAndHangupClosesBoth() {
        Baresip caller = started(dir.resolve("caller"));
        Baresip callee = started(dir.resolve("callee"));

        caller.dial(callee.sipUri());
        assertEquals("incoming", callee.await("CALL_ESTABLISHED", WAIT).direction());
        assertEquals("outgoing", caller.await("CALL_ESTABLISHED", WAIT).direction());
        caller.awaitReceivedAudio(ONE_SECOND_DECODED, WAIT);
        callee.awaitReceivedAudio(ONE_SECOND_DECODED, WAIT);

        caller.hangup();
        caller.await("CALL_CLOSED", WAIT);
        callee.await("CALL_CLOSED", WAIT);
    }

    private Baresip started(Path folder) {
        Baresip baresip = Baresip.start(folder);
        peers.add(baresip);
        return baresip;
    }

    private static InetSocketAddress audioTarget(String sdp) {
        Matcher host = Pattern.compile("(?m)^c=IN IP4 (\\S+)").matcher(sdp);
        Matcher port = Pattern.compile("(?m)^m=audio (\\d+) ").matcher(sdp);
        assertTrue(host.find() && port.find(), "baresip's answer has an audio address:\n" + sdp);
        return new InetSocketAddress(host.group(1), Integer.parseInt(port.group(1)));
    }

    /** {@code packets} PCMU packets of 20 ms, paced at 20 ms (RFC 3550 §5.1, RFC 3551 §4.5.14). */
    private static void sendPcmu(DatagramSocket socket, ScheduledExecutorService clock, InetSocketAddress to,
            int packets) throws Exception {
        byte[] silence = new byte[160];
        Arrays.fill(silence, (byte) 0xFF);
        int ssrc = 0x5A5A0001;
        CountDownLatch left = new CountDownLatch(packets);
        AtomicInteger seq = new AtomicInteger();
        var sending = clock.scheduleAtFixedRate(() -> {
            int n = seq.getAndIncrement();
            ByteBuffer packet = ByteBuffer.allocate(12 + silence.length)
                    .put((byte) 0x80).put((byte) 0) // V=2, PT 0 (PCMU)
                    .putShort((short) n).putInt(n * silence.length).putInt(ssrc).put(silence);
            try {
                socket.send(new DatagramPacket(packet.array(), packet.capacity(), to));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            left.countDown();
        }, 0, 20, TimeUnit.MILLISECONDS);
        try {
            assertTrue(left.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "sent " + seq.get() + " of " + packets);
        } finally {
            sending.cancel(false);
        }
    }
}
