package dev.passerelle.sipstack;

import gov.nist.javax.sip.ClientTransactionExt;
import gov.nist.javax.sip.TlsSecurityPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;

/**
 * RFC 5922 §7.2: after the TLS handshake (whose chain the trust store has verified), the server's
 * certificate must name the domain the client set out to reach: the host of the first Route (the
 * outbound proxy or a preloaded route), else of the Request-URI, not the address it resolved to.
 * Names are compared with the certificate's subjectAltName DNS entries, exactly and without
 * wildcards (§7.2), and IP literals with its IP entries. The subject's CN, which §7.1 allows
 * only for certificates without subjectAltNames, is never consulted: such a certificate is refused.
 *
 * <p>The RI instantiates this class by name (stack property {@code TLS_SECURITY_POLICY}) and calls
 * it for each new outgoing TLS connection opened for a client transaction; a connection opened for
 * no transaction (a 2xx's ACK) has nothing to compare with and is let through.
 */
public final class ServerIdentityPolicy implements TlsSecurityPolicy {

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    @Override
    public void enforceTlsPolicy(ClientTransactionExt transaction) {
        if (transaction == null || transaction.getRequest() == null) {
            return;
        }
        String expected = intendedHost(transaction.getRequest());
        if (expected == null) {
            return;
        }
        Certificate[] chain;
        try {
            chain = transaction.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new SecurityException("the TLS peer for " + expected + " showed no certificate", e);
        }
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate server)) {
            throw new SecurityException("the TLS peer for " + expected + " showed no certificate");
        }
        if (!names(server, expected)) {
            throw new SecurityException("the certificate of the TLS peer does not name " + expected
                    + " (RFC 5922 §7.2): " + server.getSubjectX500Principal().getName());
        }
    }

    /** The host the request was meant for: the first Route's, else the Request-URI's (RFC 5922 §7.2). */
    static String intendedHost(Request request) {
        RouteHeader route = (RouteHeader) request.getHeader(RouteHeader.NAME);
        URI uri = route != null ? route.getAddress().getURI() : request.getRequestURI();
        return uri instanceof SipURI sip ? sip.getHost() : null;
    }

    /** Whether {@code certificate}'s subjectAltNames name {@code host}, a DNS name or an IP literal. */
    static boolean names(X509Certificate certificate, String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean literal = isIpLiteral(bare);
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (alternatives == null) {
            return false;
        }
        for (List<?> entry : alternatives) {
            int type = (Integer) entry.get(0);
            String value = String.valueOf(entry.get(1));
            if (literal && type == SAN_IP && sameAddress(value, bare)
                    || !literal && type == SAN_DNS && value.equalsIgnoreCase(bare)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static boolean sameAddress(String a, String b) {
        try {
            // Both are literals, so no resolver is asked.
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (UnknownHostException e) {
            return a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
        }
    }
}
