package dev.passerelle.gateway.sdp;

import java.util.Objects;

/**
 * A {@code c=} line (RFC 8866 §5.7). For {@code IN IP4} a multicast address carries a TTL and
 * optionally a number of addresses ({@code 224.2.1.1/127/3}); for {@code IN IP6} only the number
 * ({@code ff15::101/3}); a unicast address carries neither.
 *
 * @param ttl          0-255, null when absent
 * @param addressCount 1-65535, null when absent
 */
public record Connection(String netType, String addrType, String address, Integer ttl, Integer addressCount) {

    public Connection {
        Syntax.token(Objects.requireNonNull(netType, "netType"), "c= nettype");
        Syntax.token(Objects.requireNonNull(addrType, "addrType"), "c= addrtype");
        Objects.requireNonNull(address, "address");
        if ("IP4".equals(addrType) || "IP6".equals(addrType)) {
            Syntax.host(address, "c= address");
        } else {
            Syntax.nonWs(address, "c= address");
        }
        if (ttl != null && (ttl < 0 || ttl > 255)) {
            throw new SdpException("c= ttl is not a number 0-255");
        }
        if (addressCount != null && (addressCount < 1 || addressCount > 65535)) {
            throw new SdpException("c= number of addresses is not a number 1-65535");
        }
        boolean multicast4 = "IP4".equals(addrType) && Syntax.isDottedQuad(address)
                && Syntax.ipv4(address, "c= address") >= 224 && Syntax.ipv4(address, "c= address") <= 239;
        if ("IP4".equals(addrType)) {
            if (ttl != null && !multicast4) {
                throw new SdpException("c= ttl is only allowed with an IPv4 multicast address (RFC 8866 §5.7)");
            }
            if (multicast4 && ttl == null) {
                throw new SdpException("c= IPv4 multicast address needs a ttl (RFC 8866 §5.7)");
            }
        } else if (ttl != null) {
            throw new SdpException("c= ttl is only allowed with IPv4 (RFC 8866 §5.7)");
        }
    }

    /** A unicast connection. */
    public static Connection of(String netType, String addrType, String address) {
        return new Connection(netType, addrType, address, null, null);
    }

    /**
     * The legacy hold address {@code IN IP4 0.0.0.0} (RFC 2543; RFC 3264 §8.4 asks answerers to
     * still understand it).
     */
    public boolean isHoldAddress() {
        return "IN".equals(netType) && "IP4".equals(addrType) && "0.0.0.0".equals(address);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(netType).append(' ').append(addrType).append(' ').append(address);
        if (ttl != null) {
            b.append('/').append(ttl);
        }
        if (addressCount != null) {
            b.append('/').append(addressCount);
        }
        return b.toString();
    }
}
