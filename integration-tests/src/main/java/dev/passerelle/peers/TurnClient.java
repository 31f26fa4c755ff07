package dev.passerelle.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The smallest TURN client a test needs (RFC 8489 STUN, RFC 8656 TURN, over UDP): a Binding to see
 * that the server answers, and an Allocate with the long-term credential mechanism (RFC 8489
 * §9.2), which is what a browser does with the {@code iceServers} of a login.
 */
public final class TurnClient implements AutoCloseable {
    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int BINDING = 0x0001;
    private static final int ALLOCATE = 0x0003;
    private static final int SUCCESS = 0x0100;
    private static final int ERROR = 0x0110;
    private static final int USERNAME = 0x0006;
    private static final int MESSAGE_INTEGRITY = 0x0008;
    private static final int ERROR_CODE = 0x0009;
    private static final int REALM = 0x0014;
    private static final int NONCE = 0x0015;
    private static final int XOR_RELAYED_ADDRESS = 0x0016;
    private static final int REQUESTED_TRANSPORT = 0x0019;
    /** RFC 8656 §18.7: the protocol number of UDP. */
    private static final int UDP = 17;

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final SecureRandom random = new SecureRandom();

    /** What an Allocate came to: a relayed address, or the error the server gave. */
    public record Allocation(InetSocketAddress relayed, int errorCode, String reason) {
        public boolean succeeded() {
            return relayed != null;
        }
    }

    private record Message(int type, Map<Integer, byte[]> attributes) {}

    public TurnClient(InetSocketAddress server, Duration timeout) {
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setSoTimeout((int) timeout.toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.server = server;
    }

    /** Whether the server answers a Binding request (RFC 8489 §3). */
    public boolean answersBinding() {
        try {
            return exchange(BINDING, new LinkedHashMap<>(), null).type() == (BINDING | SUCCESS);
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA1", e);
        }
    }

    /**
     * Allocate with the long-term credential mechanism: a first request without credentials gets
     * 401 with the realm and a nonce, the second carries USERNAME, REALM, NONCE and
     * MESSAGE-INTEGRITY keyed with MD5(username:realm:password) (RFC 8489 §9.2.2).
     */
    public Allocation allocate(String username, String password) {
        try {
            Map<Integer, byte[]> attributes = new LinkedHashMap<>();
            attributes.put(REQUESTED_TRANSPORT, new byte[] {UDP, 0, 0, 0});
            Message challenge = exchange(ALLOCATE, attributes, null);
            if (challenge.type() != (ALLOCATE | ERROR) || errorCode(challenge) != 401) {
                throw new IllegalStateException("expected a 401 challenge to an Allocate without credentials, got "
                        + Integer.toHexString(challenge.type()));
            }
            byte[] realm = challenge.attributes().get(REALM);
            attributes.put(USERNAME, username.getBytes(StandardCharsets.UTF_8));
            attributes.put(REALM, realm);
            attributes.put(NONCE, challenge.attributes().get(NONCE));
            byte[] key = MessageDigest.getInstance("MD5").digest(
                    (username + ":" + new String(realm, StandardCharsets.UTF_8) + ":" + password)
                            .getBytes(StandardCharsets.UTF_8));
            Message answer = exchange(ALLOCATE, attributes, key);
            if (answer.type() == (ALLOCATE | SUCCESS)) {
                return new Allocation(xorAddress(answer.attributes().get(XOR_RELAYED_ADDRESS)), 0, null);
            }
            byte[] error = answer.attributes().get(ERROR_CODE);
            return new Allocation(null, errorCode(answer),
                    error == null ? "" : new String(error, 4, error.length - 4, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has MD5 and HmacSHA1", e);
        }
    }

    private Message exchange(int type, Map<Integer, byte[]> attributes, byte[] integrityKey)
            throws IOException, GeneralSecurityException {
        byte[] transaction = new byte[12];
        random.nextBytes(transaction);
        byte[] request = encode(type, transaction, attributes, integrityKey);
        socket.send(new DatagramPacket(request, request.length, server));
        byte[] buffer = new byte[2048];
        while (true) {
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            socket.receive(reply);
            ByteBuffer in = ByteBuffer.wrap(reply.getData(), 0, reply.getLength());
            int replyType = in.getShort() & 0xffff;
            int length = in.getShort() & 0xffff;
            if (in.getInt() != MAGIC_COOKIE) {
                continue;
            }
            byte[] replyTransaction = new byte[12];
            in.get(replyTransaction);
            if (!Arrays.equals(transaction, replyTransaction)) {
                continue;
            }
            Map<Integer, byte[]> found = new LinkedHashMap<>();
            int end = 20 + length;
            while (in.position() + 4 <= end) {
                int attribute = in.getShort() & 0xffff;
                int size = in.getShort() & 0xffff;
                byte[] value = new byte[size];
                in.get(value);
                in.position(in.position() + ((4 - size % 4) % 4));
                found.putIfAbsent(attribute, value);
            }
            return new Message(replyType, found);
        }
    }

    /** RFC 8489 §5 header, §14 attributes padded to 4 bytes, §14.5 MESSAGE-INTEGRITY last. */
    private static byte[] encode(int type, byte[] transaction, Map<Integer, byte[]> attributes, byte[] integrityKey)
            throws GeneralSecurityException {
        ByteBuffer out = ByteBuffer.allocate(1024);
        out.putShort((short) type).putShort((short) 0).putInt(MAGIC_COOKIE).put(transaction);
        for (Map.Entry<Integer, byte[]> a : attributes.entrySet()) {
            out.putShort(a.getKey().shortValue()).putShort((short) a.getValue().length).put(a.getValue());
            out.put(new byte[(4 - a.getValue().length % 4) % 4]);
        }
        if (integrityKey != null) {
            // The length covers the MESSAGE-INTEGRITY attribute itself (24 bytes) when the HMAC is taken.
            out.putShort(2, (short) (out.position() - 20 + 24));
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(integrityKey, "HmacSHA1"));
            mac.update(out.array(), 0, out.position());
            out.putShort((short) MESSAGE_INTEGRITY).putShort((short) 20).put(mac.doFinal());
        }
        out.putShort(2, (short) (out.position() - 20));
        return Arrays.copyOf(out.array(), out.position());
    }

    private static int errorCode(Message message) {
        byte[] error = message.attributes().get(ERROR_CODE);
        return error == null ? 0 : (error[2] & 0x7) * 100 + (error[3] & 0xff);
    }

    /** RFC 8489 §14.2: port and IPv4 address XORed with the magic cookie. */
    private static InetSocketAddress xorAddress(byte[] value) throws IOException {
        if (value == null || value.length < 8 || value[1] != 0x01) {
            throw new IOException("no IPv4 XOR-RELAYED-ADDRESS in the Allocate success");
        }
        int port = ((value[2] & 0xff) << 8 | (value[3] & 0xff)) ^ (MAGIC_COOKIE >>> 16);
        byte[] address = new byte[4];
        ByteBuffer cookie = ByteBuffer.allocate(4).putInt(MAGIC_COOKIE);
        for (int i = 0; i < 4; i++) {
            address[i] = (byte) (value[4 + i] ^ cookie.get(i));
        }
        return new InetSocketAddress(InetAddress.getByAddress(address), port);
    }

    @Override
    public void close() {
        socket.close();
    }
}
