package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.sip.dns.NextHops;
import dev.passerelle.gateway.sip.dns.Target;
import gov.nist.javax.sip.ClientTransactionExt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sip.ClientTransaction;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which address of the outbound proxy requests go to, and whether each answers.
 *
 * <p>The addresses are the proxy URI's RFC 3263 §4 list, resolved again when older than {@link
 * #RESOLVE_EVERY} (JNDI does not report TTLs). Requests go to the first address not marked down
 * (RFC 3263 §4.3: the next address when one fails). An address is marked down when an OPTIONS
 * keepalive (RFC 3261 §11) or any request sent to it gets no answer, or a 503 (RFC 3263 §4.3
 * treats a 503 like a failure to contact); any other final response, even an error, shows the
 * proxy is alive (as RFC 5626 §4.4.1 reads any response to a keepalive). Every keepalive also
 * probes the addresses that are down, so a preferred address that answers again is used again.
 */
final class ProxyMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyMonitor.class);
    static final Duration RESOLVE_EVERY = Duration.ofMinutes(5);

    private final SipContext sip;
    private final SipURI proxy;
    private final NextHops nextHops;
    private final Duration interval;
    private volatile ScheduledExecutorService keepalives;

    // Guarded by this.
    private List<Target> targets = List.of();
    private final Set<Target> down = new HashSet<>();
    private long resolvedAt;
    private Target announced;

    /** One OPTIONS in flight: the transaction's application data. */
    record Probe(Target target, AtomicBoolean settled) {}

    ProxyMonitor(SipContext sip, SipURI proxy, NextHops nextHops, Duration interval) {
        this.sip = sip;
        this.proxy = proxy;
        this.nextHops = nextHops;
        this.interval = interval;
    }

    /**
     * Resolves the proxy and, with a keepalive interval, starts the keepalive on a thread of its
     * own: DNS queries and TCP connection attempts to a dead address may block it for seconds,
     * which the SIP timers must not wait for.
     */
    void start() {
        synchronized (this) {
            resolve();
        }
        if (!interval.isZero()) {
            keepalives = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sip-proxy-keepalive-" + sip.port);
                t.setDaemon(true);
                return t;
            });
            keepalives.scheduleWithFixedDelay(this::keepalive, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the keepalive; probes in flight end with the stack. */
    void stop() {
        if (keepalives != null) {
            keepalives.shutdownNow();
        }
    }

    /** The address for a request whose first Route is the configured proxy; empty for any other. */
    Optional<Target> hopFor(Request request) {
        RouteHeader route = (RouteHeader) request.getHeader(RouteHeader.NAME);
        if (route == null || !(route.getAddress().getURI() instanceof SipURI uri) || !isProxy(uri)) {
            return Optional.empty();
        }
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        String transport = via == null || via.getTransport() == null ? null : via.getTransport().toLowerCase(Locale.ROOT);
        synchronized (this) {
            if (System.nanoTime() - resolvedAt > RESOLVE_EVERY.toNanos() || targets.isEmpty()) {
                resolve();
            }
            // The Via already names the transport the request was built for: the first address up
            // on that transport keeps them consistent.
            for (Target t : targets) {
                if (!down.contains(t) && t.transport().equals(transport)) {
                    return Optional.of(t);
                }
            }
            return current();
        }
    }

    /** The transport of the address requests to the proxy go to now (UDP while none is known). */
    synchronized String transport() {
        if (targets.isEmpty()) {
            resolve();
        }
        return current().map(Target::transport).orElse(proxy.isSecure() ? "tls" : "udp");
    }

    /** A snapshot for health reports: every address in the order of use and its state. */
    synchronized List<ProxyAddress> describe() {
        List<ProxyAddress> out = new ArrayList<>();
        Optional<Target> now = current();
        for (Target t : targets) {
            String state = down.contains(t) ? "down" : now.isPresent() && now.get().equals(t) ? "current" : "standby";
            out.add(new ProxyAddress(t.address(), t.port(), t.transport(), state));
        }
        return out;
    }

    void onProbeResponse(Probe probe, Response response) {
        if (response.getStatusCode() >= 200 && probe.settled().compareAndSet(false, true)) {
            mark(probe.target(), response.getStatusCode() != Response.SERVICE_UNAVAILABLE,
                    "OPTIONS answered " + response.getStatusCode());
        }
    }

    void onProbeTimeout(Probe probe) {
        if (probe.settled().compareAndSet(false, true)) {
            mark(probe.target(), false, "no answer to OPTIONS");
        }
    }

    /** A request of ours timed out at the transaction layer: its address is down if it was a proxy address. */
    void onRequestTimeout(ClientTransaction ct) {
        if (ct instanceof ClientTransactionExt ext && ext.getNextHop() != null) {
            Hop hop = ext.getNextHop();
            markAddress(hop.getHost(), hop.getPort(), "no answer to " + ct.getRequest().getMethod());
        }
    }

    /** A request could not be sent to host:port (e.g. a TCP connection refused). */
    void onTransportError(String host, int port) {
        markAddress(host, port, "transport error");
    }

    private void markAddress(String host, int port, String why) {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        List<Target> matching;
        synchronized (this) {
            matching = targets.stream().filter(t -> t.address().equalsIgnoreCase(bare) && t.port() == port).toList();
        }
        matching.forEach(t -> mark(t, false, why));
    }

    /** One round; never throws, since an exception would end the schedule. */
    private void keepalive() {
        try {
            probeRound();
        } catch (RuntimeException e) {
            LOG.warn("outbound proxy {}: keepalive round failed", proxy, e);
        }
    }

    private void probeRound() {
        List<Target> probe = new ArrayList<>();
        synchronized (this) {
            if (System.nanoTime() - resolvedAt > RESOLVE_EVERY.toNanos() || targets.isEmpty()) {
                resolve();
            }
            current().ifPresent(probe::add);
            for (Target t : targets) {
                if (down.contains(t) && !probe.contains(t)) {
                    probe.add(t);
                }
            }
        }
        probe.forEach(this::probe);
    }

    private void probe(Target target) {
        Probe probe = new Probe(target, new AtomicBoolean());
        try {
            ClientTransaction ct = sip.provider.getNewClientTransaction(options(target));
            ct.setApplicationData(probe);
            ct.setRetransmitTimer((int) sip.t1.toMillis());
            ct.sendRequest();
        } catch (Exception e) {
            LOG.debug("OPTIONS to {} not sent", target, e);
            onProbeTimeout(probe);
            return;
        }
        // The next keepalive should find this one settled: a probe unanswered for an interval (or
        // the 64*T1 of RFC 3261 §17.1.2.2, if shorter) counts as no answer.
        long wait = Math.min(interval.toMillis(), sip.timer64T1Millis());
        sip.timers.schedule(() -> onProbeTimeout(probe), wait, TimeUnit.MILLISECONDS);
    }

    /** An out-of-dialog OPTIONS to the address itself (RFC 3261 §11.1), not routed through the proxy URI. */
    private Request options(Target target) throws Exception {
        SipURI uri = sip.addressFactory.createSipURI(null, target.address().contains(":")
                ? "[" + target.address() + "]" : target.address());
        uri.setPort(target.port());
        if (target.transport().equals("tls")) {
            uri.setSecure(true);
        } else {
            uri.setTransportParam(target.transport());
        }
        SipURI self = sip.addressFactory.createSipURI("passerelle", sip.config.domain());
        FromHeader from = sip.headerFactory.createFromHeader(sip.addressFactory.createAddress(self), sip.newTag());
        ToHeader to = sip.headerFactory.createToHeader(sip.addressFactory.createAddress(uri), null);
        CallIdHeader callId = sip.provider.getNewCallId();
        CSeqHeader cseq = sip.headerFactory.createCSeqHeader(1L, Request.OPTIONS);
        ViaHeader via = sip.headerFactory.createViaHeader(sip.host, sip.portFor(target.transport()),
                target.transport(), null);
        Request request = sip.messageFactory.createRequest(uri, Request.OPTIONS, callId, cseq, from, to,
                new ArrayList<>(List.of(via)), sip.headerFactory.createMaxForwardsHeader(70));
        sip.addUserAgent(request);
        return request;
    }

    private void mark(Target target, boolean up, String why) {
        synchronized (this) {
            if (!targets.contains(target)) {
                return;
            }
            boolean changed = up ? down.remove(target) : down.add(target);
            if (changed) {
                LOG.debug("outbound proxy address {} {} ({})", target, up ? "up" : "down", why);
            }
            announce();
        }
    }

    /** Logs the address requests go to whenever it changes, once. */
    private void announce() {
        Optional<Target> now = current();
        if (now.isPresent() && !now.get().equals(announced)) {
            if (announced == null) {
                LOG.info("outbound proxy {}: requests go to {} (of {})", proxy, now.get(), targets);
            } else {
                LOG.info("outbound proxy {}: requests now go to {} instead of {} ({} of {} addresses down)",
                        proxy, now.get(), announced, down.size(), targets.size());
            }
            announced = now.get();
        }
    }

    /** The first address not down; when all are down, the first (a request may still get through). */
    private Optional<Target> current() {
        for (Target t : targets) {
            if (!down.contains(t)) {
                return Optional.of(t);
            }
        }
        return targets.stream().findFirst();
    }

    private void resolve() {
        resolvedAt = System.nanoTime();
        try {
            List<Target> fresh = nextHops.resolve(proxy.getHost(), proxy.getPort(), proxy.isSecure(),
                    proxy.getTransportParam());
            if (fresh.isEmpty()) {
                LOG.warn("outbound proxy {}: DNS knows no address (RFC 3263 §4)", proxy);
                return;
            }
            if (!fresh.equals(targets)) {
                LOG.info("outbound proxy {} resolves to {}", proxy, fresh);
            }
            down.retainAll(fresh);
            targets = fresh;
            announce();
        } catch (RuntimeException e) {
            LOG.warn("outbound proxy {}: cannot resolve ({}); keeping {}", proxy, e.getMessage(), targets);
        }
    }

    private boolean isProxy(SipURI uri) {
        return uri.getHost().equalsIgnoreCase(proxy.getHost()) && uri.getPort() == proxy.getPort()
                && uri.isSecure() == proxy.isSecure();
    }
}
