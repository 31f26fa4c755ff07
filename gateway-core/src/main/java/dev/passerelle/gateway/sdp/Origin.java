package dev.passerelle.gateway.sdp;

import java.util.Objects;

/**
 * The {@code o=} line (RFC 8866 §5.2). Session id and version are unsigned 64-bit decimals kept
 * as written. All fields but the version name the session; RFC 3264 §8 requires them unchanged
 * in every later description of the same party.
 */
public record Origin(String username, String sessionId, String sessionVersion,
                     String netType, String addrType, String address) {

    public Origin {
        Syntax.nonWs(Objects.requireNonNull(username, "username"), "o= username");
        Syntax.unsigned64(Objects.requireNonNull(sessionId, "sessionId"), "o= session id");
        Syntax.unsigned64(Objects.requireNonNull(sessionVersion, "sessionVersion"), "o= session version");
        Syntax.token(Objects.requireNonNull(netType, "netType"), "o= nettype");
        Syntax.token(Objects.requireNonNull(addrType, "addrType"), "o= addrtype");
        Syntax.nonWs(Objects.requireNonNull(address, "address"), "o= address");
    }

    /** Same session of the same party: every field but the version equal (RFC 3264 §8). */
    public boolean sameSession(Origin other) {
        return username.equals(other.username) && sessionId.equals(other.sessionId)
                && netType.equals(other.netType) && addrType.equals(other.addrType)
                && address.equals(other.address);
    }

    /** Compares the session versions as unsigned 64-bit numbers. */
    public int compareVersion(Origin other) {
        return Long.compareUnsigned(Long.parseUnsignedLong(sessionVersion),
                Long.parseUnsignedLong(other.sessionVersion));
    }

    /** This origin with the version incremented by one, as a modified description needs (RFC 3264 §8). */
    public Origin nextVersion() {
        long v = Long.parseUnsignedLong(sessionVersion);
        if (v == -1L) {
            throw new SdpException("o= session version cannot be incremented past 18446744073709551615");
        }
        return new Origin(username, sessionId, Long.toUnsignedString(v + 1), netType, addrType, address);
    }

    @Override
    public String toString() {
        return username + " " + sessionId + " " + sessionVersion + " " + netType + " " + addrType + " " + address;
    }
}
