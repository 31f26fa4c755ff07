package dev.passerelle.gateway.sip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An authoritative DNS server over UDP on loopback (RFC 1035 §4) for tests: answers A, SRV
 * (RFC 2782) and NAPTR (RFC 3403) queries from records the test adds, NXDOMAIN for names it has
 * nothing for. Enough for the JDK's JNDI DNS client.
 */
final class LoopbackDns implements AutoCloseable {

    private static final int A = 1;
    private static final int SRV = 33;
    private static final int NAPTR = 35;

    private final DatagramSocket socket;
    private final Map<String, List<byte[]>> records = new ConcurrentHashMap<>();
    private final Thread reader;

    LoopbackDns() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        reader = new Thread(this::serve, "loopback-dns-" + socket.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code 127.0.0.1:port}, the form of {@code sip.dns.servers}. */
    String server() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    void a(String name, String ipv4) throws IOException {
        add(name, A, InetAddress.getByName(ipv4).getAddress());
    }

    void srv(String name, int priority, int weight, int port, String target) {
        ByteArrayOutputStream rdata = new ByteArrayOutputStream();
        short16(rdata, priority);
        short16(rdata, weight);
        short16(rdata, port);
        name(rdata, target);
        add(name, SRV, rdata.toByteArray());
    }

    void naptr(String name, int order, int preference, String flags, String service, String replacement) {
        ByteArrayOutputStream rdata = new ByteArrayOutputStream();
        short16(rdata, order);
        short16(rdata, preference);
        characterString(rdata, flags);
        characterString(rdata, service);
        characterString(rdata, "");
        name(rdata, replacement);
        add(name, NAPTR, rdata.toByteArray());
    }

    private void add(String name, int type, byte[] rdata) {
        records.computeIfAbsent(key(name, type), k -> new ArrayList<>()).add(rdata);
    }

    private static String key(String name, int type) {
        return name.toLowerCase(Locale.ROOT) + "/" + type;
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
                byte[] answer = answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] answer(ByteBuffer query) {
        int id = query.getShort(0) & 0xffff;
        query.position(12);
        StringBuilder name = new StringBuilder();
        int length;
        while ((length = query.get() & 0xff) != 0) {
            byte[] label = new byte[length];
            query.get(label);
            name.append(name.length() == 0 ? "" : ".").append(new String(label, StandardCharsets.US_ASCII));
        }
        int type = query.getShort() & 0xffff;
        query.getShort();
        int questionEnd = query.position();
        List<byte[]> found = records.getOrDefault(key(name.toString(), type), List.of());
        boolean known = records.keySet().stream().anyMatch(k -> k.startsWith(name.toString().toLowerCase(Locale.ROOT) + "/"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        short16(out, id);
        // QR, AA, RD copied as set by the client; RCODE 3 (NXDOMAIN) for an unknown name.
        short16(out, 0x8400 | (query.get(2) & 0x01) << 8 | (known ? 0 : 3));
        short16(out, 1);
        short16(out, found.size());
        short16(out, 0);
        short16(out, 0);
        out.write(query.array(), 12, questionEnd - 12);
        for (byte[] rdata : found) {
            short16(out, 0xc00c);
            short16(out, type);
            short16(out, 1);
            short16(out, 0);
            short16(out, 60);
            short16(out, rdata.length);
            out.write(rdata, 0, rdata.length);
        }
        return out.toByteArray();
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8 & 0xff);
        out.write(value & 0xff);
    }

    private static void characterString(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        out.write(bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void name(ByteArrayOutputStream out, String name) {
        for (String label : name.split("\\.")) {
            if (!label.isEmpty()) {
                characterString(out, label);
            }
        }
        out.write(0);
    }

    @Override
    public void close() {
        socket.close();
    }
}
