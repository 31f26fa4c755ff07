package dev.passerelle.gateway.sip;

/**
 * One address of the outbound proxy (RFC 3263 §4) and its state: {@code current} (requests go
 * there), {@code standby} (next in line, not probed) or {@code down} (no answer, or 503, to the
 * last keepalive or request; probed by every keepalive until it answers).
 */
public record ProxyAddress(String address, int port, String transport, String state) {}
