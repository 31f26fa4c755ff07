package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.sip.dns.Target;
import gov.nist.javax.sip.stack.DefaultRouter;
import gov.nist.javax.sip.stack.HopImpl;
import java.util.ListIterator;
import java.util.Optional;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.message.Request;

/**
 * The stack's router (RFC 3261 §8.1.2): a request whose first Route is the configured outbound
 * proxy is sent to the address {@link ProxyMonitor} currently chooses for it (RFC 3263 §4), and
 * every other request where the RI's default router sends it. The RI creates it by name with this
 * constructor; the gateway hands it its monitor once the stack exists.
 */
public final class ProxyRouter implements Router {

    private final DefaultRouter fallback;
    private volatile ProxyMonitor monitor;

    public ProxyRouter(SipStack stack, String outboundProxy) {
        this.fallback = new DefaultRouter(stack, outboundProxy);
    }

    void use(ProxyMonitor proxyMonitor) {
        this.monitor = proxyMonitor;
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        ProxyMonitor m = monitor;
        Optional<Target> target = m == null ? Optional.empty() : m.hopFor(request);
        if (target.isPresent()) {
            return new HopImpl(target.get().address(), target.get().port(), target.get().transport());
        }
        return fallback.getNextHop(request);
    }

    @Override
    public Hop getOutboundProxy() {
        return fallback.getOutboundProxy();
    }

    /** Deprecated in JAIN-SIP 1.2 and never called by the RI; answered as the default router does. */
    @Override
    @SuppressWarnings({"rawtypes", "deprecation"})
    public ListIterator getNextHops(Request request) {
        return fallback.getNextHops(request);
    }
}
