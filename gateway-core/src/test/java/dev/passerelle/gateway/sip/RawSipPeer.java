package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A SIP peer for tests that writes request text by hand and reads what the gateway sends back,
 * over UDP on loopback (or one TCP connection). Received messages queue up; tests wait on the
 * queue with a timeout.
 */
final class RawSipPeer implements AutoCloseable {

    final DatagramSocket udp;
    private final BlockingQueue<SipText> inbox = new LinkedBlockingQueue<>();
    private final Thread reader;
    private Socket tcp;
    private int gatewayPort;

    RawSipPeer(int gatewayPort) throws SocketException {
        this(gatewayPort, new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    }

    RawSipPeer(int gatewayPort, DatagramSocket socket) {
        this.gatewayPort = gatewayPort;
        this.udp = socket;
        this.reader = new Thread(this::readUdp, "raw-sip-peer-" + socket.getLocalPort());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    int port() {
        return udp.getLocalPort();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        udp.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), gatewayPort));
    }

    /** Sends over UDP to another gateway port than the one this peer was made for. */
    void sendTo(int port, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        udp.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
    }

    /** Opens a TCP connection to the gateway; what arrives on it joins the same queue. */
    int connectTcp() throws IOException {
        tcp = new Socket(InetAddress.getLoopbackAddress(), gatewayPort);
        Thread t = new Thread(this::readTcp, "raw-sip-peer-tcp");
        t.setDaemon(true);
        t.start();
        return tcp.getLocalPort();
    }

    void sendTcp(String text) throws IOException {
        OutputStream out = tcp.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next message matching {@code filter}, skipping others; fails after {@code timeout}. */
    SipText expect(Predicate<SipText> filter, Duration timeout, String what) throws InterruptedException {
        SipText m = poll(filter, timeout);
        if (m == null) {
            fail("no " + what + " within " + timeout);
        }
        return m;
    }

    SipText poll(Predicate<SipText> filter, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            SipText m = inbox.poll(left, TimeUnit.NANOSECONDS);
            if (m != null && filter.test(m)) {
                return m;
            }
        }
    }

    /** Everything received so far, leaving the queue empty. */
    List<SipText> drain() {
        List<SipText> out = new ArrayList<>();
        inbox.drainTo(out);
        return out;
    }

    private void readUdp() {
        byte[] buf = new byte[65_536];
        while (!udp.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
                inbox.add(SipText.parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void readTcp() {
        try (InputStream in = tcp.getInputStream()) {
            StringBuilder pending = new StringBuilder();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                pending.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                SipText m;
                while ((m = SipText.takeFrom(pending)) != null) {
                    inbox.add(m);
                }
            }
        } catch (IOException e) {
            // Connection closed by the test or the gateway.
        }
    }

    @Override
    public void close() throws IOException {
        udp.close();
        if (tcp != null) {
            tcp.close();
        }
    }
}
