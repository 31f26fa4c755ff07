package dev.passerelle.gateway.sip.dns;

import java.util.Locale;
import java.util.Objects;

/**
 * One address a request to the outbound proxy may be sent to (RFC 3263 §4: a transport, an IP
 * address and a port).
 *
 * @param address an IPv4 or IPv6 literal, without brackets
 * @param port the port
 * @param transport {@code udp}, {@code tcp} or {@code tls}
 */
public record Target(String address, int port, String transport) {

    public Target {
        Objects.requireNonNull(address, "address");
        transport = transport.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port + "/" + transport;
    }
}
