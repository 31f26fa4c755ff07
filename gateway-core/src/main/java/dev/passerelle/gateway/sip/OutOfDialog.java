package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;

/**
 * Where a request the gateway starts outside any dialog on behalf of a web user (INVITE, MESSAGE,
 * SUBSCRIBE, PUBLISH) goes: over which transport, and through which preloaded route set. One
 * answer for every method, so that a message, a subscription and a call of the same user take the
 * same path.
 */
final class OutOfDialog {
    private final SipContext sip;
    private final Registrations registrations;
    private final Optional<ProxyMonitor> proxyMonitor;

    OutOfDialog(SipContext sip, Registrations registrations, Optional<ProxyMonitor> proxyMonitor) {
        this.sip = sip;
        this.registrations = registrations;
        this.proxyMonitor = proxyMonitor;
    }

    /**
     * The transport towards {@code target}, through the outbound proxy when there is one.
     *
     * @param targetText the target as the application gave it, for the error message
     * @throws GatewayException {@link ErrorCode#BAD_REQUEST} naming why the gateway cannot reach it
     */
    String transportTo(URI target, String targetText) {
        String scheme = target.getScheme().toLowerCase(Locale.ROOT);
        Optional<SipURI> proxy = sip.outboundProxy();
        if (scheme.equals("tel") && proxy.isEmpty()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "a tel: target needs sip.outboundProxy to route it: " + targetText);
        }
        if (!scheme.equals("sip") && !scheme.equals("sips") && !scheme.equals("tel")) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "unsupported target scheme " + scheme + ":");
        }
        SipURI nextHop = proxy.orElse(target instanceof SipURI s ? s : null);
        // RFC 3263 §4.1: a sips: next hop means TLS; else the transport parameter, else UDP; for
        // the proxy, the transport of the address its RFC 3263 resolution currently chooses.
        String transport = proxy.isPresent() && proxyMonitor.isPresent() ? proxyMonitor.get().transport()
                : nextHop.isSecure() ? "tls"
                : nextHop.getTransportParam() == null ? "udp" : nextHop.getTransportParam().toLowerCase(Locale.ROOT);
        if (!transport.equals("udp") && !transport.equals("tcp") && !transport.equals("tls")) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "unsupported transport " + transport);
        }
        if (transport.equals("tls") && sip.tlsPort == 0) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "TLS to " + nextHop + " needs sip.tls, which is not configured");
        }
        if (scheme.equals("sips") && !transport.equals("tls")) {
            // RFC 5630 §3.1.1: a sips: target is reached over TLS on every hop, the first included.
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "a sips: target needs TLS to the next hop, and " + nextHop + " is not a TLS hop");
        }
        return transport;
    }

    /**
     * The route set a request of {@code fromAor} starts with: the outbound proxy as a pre-existing
     * route set of one loose router (RFC 3261 §8.1.2), then the Service-Route of that user's
     * registration on this node (RFC 3608 §6).
     */
    List<Address> preloadedRoute(String fromAor) {
        List<Address> routes = new ArrayList<>();
        try {
            Optional<SipURI> proxy = sip.outboundProxy();
            if (proxy.isPresent()) {
                routes.add(sip.addressFactory.createAddress(proxy.get()));
            }
            for (String route : registrations.serviceRoute(fromAor)) {
                routes.add(sip.addressFactory.createAddress(route));
            }
        } catch (ParseException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "invalid route: " + e.getMessage(), e);
        }
        return routes;
    }
}
