package dev.passerelle.peers;

import gov.nist.javax.sip.stack.DefaultRouter;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.message.Request;

/**
 * Sends a {@link SipPhone}'s requests to the gateway it was told to use, like a phone configured
 * with an outbound proxy, without adding a Route header the gateway would have to deal with.
 * JAIN-SIP builds its router by reflection from the class name, so the phone hands the hop over
 * through this map, keyed by stack name.
 */
public final class PhoneRouter implements Router {

    static final Map<String, Hop> NEXT_HOPS = new ConcurrentHashMap<>();

    private final DefaultRouter fallback;
    private final String stackName;

    public PhoneRouter(SipStack stack, String outboundProxy) {
        this.fallback = new DefaultRouter(stack, outboundProxy);
        this.stackName = stack.getStackName();
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        Hop hop = NEXT_HOPS.get(stackName);
        return hop != null ? hop : fallback.getNextHop(request);
    }

    @Override
    public Hop getOutboundProxy() {
        return fallback.getOutboundProxy();
    }

    @Override
    @SuppressWarnings({"rawtypes", "deprecation"})
    public ListIterator getNextHops(Request request) {
        return fallback.getNextHops(request);
    }
}
