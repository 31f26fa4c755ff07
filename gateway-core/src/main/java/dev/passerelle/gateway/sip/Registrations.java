package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import gov.nist.javax.sip.header.ims.ServiceRouteHeader;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderAddress;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrations this node holds on behalf of web users (IMS mode): one {@link Registration}
 * per address of record, each with its own Call-ID and increasing CSeq (RFC 3261 §10.2.4), digest
 * answers (RFC 7616, RFC 8760), refresh before expiry, and back-off after a failure
 * (RFC 5626 §4.5).
 */
final class Registrations {

    private static final Logger LOG = LoggerFactory.getLogger(Registrations.class);

    /** RFC 5626 §4.5 max-time: the back-off never waits longer. */
    static final Duration RETRY_MAX = Duration.ofSeconds(1800);
    /** The most a refresh is sent ahead of expiry; a short binding is refreshed at half its time. */
    static final Duration REFRESH_MARGIN = Duration.ofSeconds(30);

    private final SipContext sip;
    private final URI registrar;
    private final Duration expires;
    private final Duration retryBase;
    /** RFC 5626 §4.2: this node is one flow of each instance, the same across its restarts. */
    private final int regId;
    private final ConcurrentMap<String, Registration> byAor = new ConcurrentHashMap<>();

    Registrations(SipContext sip) {
        this.sip = sip;
        this.registrar = sip.config.registrar()
                .map(r -> parse(r, "sip.registrar"))
                .orElse(null);
        this.expires = sip.config.registrationExpires();
        this.retryBase = sip.config.registrationRetryBase();
        this.regId = regIdOf(sip.host, sip.port);
    }

    /** A positive reg-id derived from the node's SIP address, so that a restart keeps its flow. */
    static int regIdOf(String host, int port) {
        return 1 + Math.floorMod((host.toLowerCase(Locale.ROOT) + ":" + port).hashCode(), 0x7fff);
    }

    /**
     * The {@code +sip.instance} of an address of record: a name-based UUID, so that every node and
     * every restart presents the same instance for it (RFC 5626 §4.1).
     */
    static String instanceOf(String aor) {
        return "<urn:uuid:" + UUID.nameUUIDFromBytes(("passerelle:" + aor).getBytes(StandardCharsets.UTF_8)) + ">";
    }

    void register(SipRegistration registration) {
        if (registrar == null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "no sip.registrar configured");
        }
        URI aor = parse(registration.aor(), "aor");
        if (!(aor instanceof SipURI)) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "aor is not a sip: URI: " + registration.aor());
        }
        boolean[] created = new boolean[1];
        Registration reg = byAor.computeIfAbsent(registration.aor(), a -> {
            created[0] = true;
            return new Registration(registration, sip.provider.getNewCallId().getCallId(), sip.newTag());
        });
        if (created[0]) {
            send(reg, reg.begin(expires.toSeconds()));
        } else {
            send(reg, reg.keep());
        }
    }

    void unregister(String aor) {
        Registration reg = byAor.get(aor);
        if (reg != null) {
            send(reg, reg.remove());
        }
    }

    /** Removes every registration; the future completes when each has ended. */
    CompletableFuture<Void> unregisterAll() {
        Collection<Registration> all = List.copyOf(byAor.values());
        all.forEach(r -> send(r, r.remove()));
        return CompletableFuture.allOf(all.stream().map(r -> r.gone).toArray(CompletableFuture[]::new));
    }

    /** The credentials of an address of record this node registers, for a challenged INVITE. */
    Optional<SipRegistration> credentials(String aor) {
        return Optional.ofNullable(byAor.get(aor)).map(r -> r.registration);
    }

    /** The Service-Route of the last 2xx for {@code aor} (RFC 3608 §6); empty when none. */
    List<String> serviceRoute(String aor) {
        Registration reg = byAor.get(aor);
        return reg == null ? List.of() : reg.serviceRoute();
    }

    /** How many registrations this node holds (tests check that none leak). */
    int size() {
        return byAor.size();
    }

    void onResponse(Registration reg, ResponseEvent event) {
        Response response = event.getResponse();
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
        if (status == Response.UNAUTHORIZED || status == Response.PROXY_AUTHENTICATION_REQUIRED) {
            onChallenge(reg, cseq, response);
        } else if (status < 300) {
            onSuccess(reg, cseq, response);
        } else if (status == Response.INTERVAL_TOO_BRIEF) {
            MinExpiresHeader min = (MinExpiresHeader) response.getHeader(MinExpiresHeader.NAME);
            send(reg, reg.tooBrief(cseq, min == null ? -1 : min.getExpires(), response.getReasonPhrase()));
        } else {
            failed(reg, cseq, status, response.getReasonPhrase());
        }
    }

    void onTimeout(Registration reg, long cseq) {
        failed(reg, cseq, Response.REQUEST_TIMEOUT, "Request Timeout");
    }

    private void onChallenge(Registration reg, long cseq, Response response) {
        boolean proxy = response.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED;
        Optional<Digest.Challenge> challenge = strongest(response, proxy);
        if (challenge.isEmpty()) {
            failed(reg, cseq, response.getStatusCode(), "no digest challenge the gateway can answer");
            return;
        }
        send(reg, reg.challenged(cseq, challenge.get(), proxy, response.getStatusCode()));
    }

    /**
     * The strongest answerable challenge of a 401 or 407 (RFC 8760 §2.4: SHA-512-256 over
     * SHA-256 over MD5).
     */
    static Optional<Digest.Challenge> strongest(Response response, boolean proxy) {
        List<Digest.Challenge> offered = new ArrayList<>();
        ListIterator<?> headers = response.getHeaders(proxy ? ProxyAuthenticateHeader.NAME : WWWAuthenticateHeader.NAME);
        while (headers.hasNext()) {
            WWWAuthenticateHeader h = (WWWAuthenticateHeader) headers.next();
            if (!"Digest".equalsIgnoreCase(h.getScheme()) || h.getNonce() == null || h.getRealm() == null) {
                continue;
            }
            Optional<Digest.Algorithm> algorithm = Digest.Algorithm.of(h.getAlgorithm());
            if (algorithm.isEmpty()) {
                continue;
            }
            String qop = h.getQop();
            Digest.Challenge c = new Digest.Challenge(h.getRealm(), h.getNonce(), h.getOpaque(), algorithm.get(),
                    qop == null ? List.of() : List.of(qop.split(",")), h.isStale());
            if (c.answerable()) {
                offered.add(c);
            }
        }
        return offered.stream().min(Comparator.comparing(Digest.Challenge::algorithm));
    }

    private void onSuccess(Registration reg, long cseq, Response response) {
        long granted = grantedSeconds(reg, response);
        List<String> serviceRoute = serviceRoute(response);
        send(reg, reg.succeeded(cseq, granted, serviceRoute, Instant.now()));
    }

    /**
     * What the registrar granted our binding: the {@code expires} parameter of our Contact in the
     * 2xx, else its Expires header, else what we asked for (RFC 3261 §10.2.4).
     */
    private long grantedSeconds(Registration reg, Response response) {
        ListIterator<?> contacts = response.getHeaders(ContactHeader.NAME);
        while (contacts.hasNext()) {
            ContactHeader c = (ContactHeader) contacts.next();
            if (isOurs(c, reg) && c.getExpires() >= 0) {
                return c.getExpires();
            }
        }
        ExpiresHeader e = (ExpiresHeader) response.getHeader(ExpiresHeader.NAME);
        return e != null ? e.getExpires() : reg.requested();
    }

    private boolean isOurs(ContactHeader c, Registration reg) {
        String instance = c.getParameter("+sip.instance");
        String id = c.getParameter("reg-id");
        if (instance != null && id != null) {
            return unquote(instance).equals(instanceOf(reg.registration.aor())) && id.equals(String.valueOf(regId));
        }
        if (c.getAddress().getURI() instanceof SipURI uri) {
            int p = uri.getPort() < 0 ? 5060 : uri.getPort();
            return uri.getHost().equalsIgnoreCase(sip.host) && (p == sip.port || p == sip.tlsPort)
                    && reg.registration.user().equals(uri.getUser());
        }
        return false;
    }

    private static String unquote(String s) {
        String t = s.trim();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    /**
     * The Service-Route of a 2xx to REGISTER, in order, as name-addrs (RFC 3608 §6); the RI parses
     * each value, several per header line included.
     */
    static List<String> serviceRoute(Response response) {
        List<String> values = new ArrayList<>();
        ListIterator<?> headers = response.getHeaders(ServiceRouteHeader.NAME);
        while (headers.hasNext()) {
            if (headers.next() instanceof HeaderAddress route) {
                values.add(route.getAddress().toString());
            }
        }
        return List.copyOf(values);
    }

    private void failed(Registration reg, long cseq, int status, String reason) {
        send(reg, reg.failed(cseq, status, reason));
    }

    /**
     * Carries out what a state change of {@code reg} decided, outside its monitor: sends the next
     * REGISTER, reports the new state, schedules the next attempt, or forgets the registration.
     */
    private void send(Registration reg, Step step) {
        if (step.after() != null) {
            try {
                reg.schedule(sip.timers.schedule(() -> send(reg, reg.timerFired()),
                        step.after().toMillis(), TimeUnit.MILLISECONDS));
            } catch (RejectedExecutionException stopping) {
                LOG.debug("SIP stopping: no next attempt for {}", reg.registration.aor());
            }
        }
        if (step.forget()) {
            byAor.remove(reg.registration.aor(), reg);
        }
        if (step.report() != null) {
            sip.events.registrationState(reg.registration.aor(), step.report());
        }
        if (step.forget()) {
            reg.gone.complete(null);
        }
        if (step.request() != null) {
            transmit(reg, step.request());
        }
    }

    private void transmit(Registration reg, Attempt attempt) {
        ClientTransaction ct;
        try {
            Request request = build(reg, attempt);
            ct = sip.provider.getNewClientTransaction(request);
            ct.setApplicationData(reg);
            ct.setRetransmitTimer((int) sip.t1.toMillis());
            ct.sendRequest();
        } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
            LOG.warn("cannot send the REGISTER of {}", reg.registration.aor(), e);
            failed(reg, attempt.cseq(), Response.SERVICE_UNAVAILABLE, "cannot send: " + e.getMessage());
        }
    }

    /** The REGISTER of RFC 3261 §10.2 with the Contact of RFC 5626 §4.2. */
    private Request build(Registration reg, Attempt attempt)
            throws ParseException, InvalidArgumentException {
        SipRegistration r = reg.registration;
        Optional<SipURI> proxy = sip.outboundProxy();
        SipURI nextHop = proxy.orElse(registrar instanceof SipURI s ? s : null);
        // RFC 3263 §4.1: a sips: next hop means TLS; else the transport parameter, else UDP.
        String transport = nextHop != null && nextHop.isSecure() ? "tls"
                : nextHop == null || nextHop.getTransportParam() == null
                ? "udp" : nextHop.getTransportParam().toLowerCase(Locale.ROOT);
        Address aor = sip.addressFactory.createAddress(parse(r.aor(), "aor"));
        if (r.displayName() != null && !r.displayName().isBlank()) {
            aor.setDisplayName(r.displayName());
        }
        // RFC 3261 §8.1.2: the outbound proxy as a pre-existing route set of one loose router.
        List<Address> routes = proxy.isPresent() ? List.of(sip.addressFactory.createAddress(proxy.get())) : List.of();
        Request request = sip.request(registrar, Request.REGISTER, sip.headerFactory.createCallIdHeader(reg.callId),
                attempt.cseq(), sip.headerFactory.createFromHeader(aor, reg.fromTag),
                sip.headerFactory.createToHeader((Address) aor.clone(), null), transport, routes);
        SipURI contactUri = sip.addressFactory.createSipURI(r.user(), sip.host);
        contactUri.setPort(sip.portFor(transport));
        if (transport.equals("tls")) {
            // RFC 5630 §3.1.1: requests to a binding registered over TLS stay on TLS.
            contactUri.setSecure(true);
        } else {
            contactUri.setTransportParam(transport);
        }
        ContactHeader contact = sip.headerFactory.createContactHeader(sip.addressFactory.createAddress(contactUri));
        contact.setParameter("+sip.instance", "\"" + instanceOf(r.aor()) + "\"");
        contact.setParameter("reg-id", String.valueOf(regId));
        if (attempt.expires() == 0) {
            // RFC 3261 §10.2.2: only our binding goes, so the Contact carries expires=0.
            contact.setExpires(0);
        }
        request.addHeader(contact);
        request.addHeader(sip.headerFactory.createExpiresHeader((int) attempt.expires()));
        // RFC 3327 §5, RFC 5626 §4.2.1.
        request.addHeader(sip.headerFactory.createSupportedHeader("path"));
        request.addHeader(sip.headerFactory.createSupportedHeader("outbound"));
        sip.addUserAgent(request);
        if (attempt.challenge() != null) {
            request.addHeader(authorization(r, attempt, registrar.toString()));
        }
        return request;
    }

    private Header authorization(SipRegistration r, Attempt attempt, String uri) throws ParseException {
        return authorization(sip, r, attempt.challenge(), attempt.proxy(), Request.REGISTER, uri,
                attempt.nonceCount());
    }

    /**
     * An {@code Authorization} (401) or {@code Proxy-Authorization} (407) header answering
     * {@code challenge} with a fresh cnonce (RFC 7616 §3.4, RFC 3261 §22.2).
     */
    static Header authorization(SipContext sip, SipRegistration r, Digest.Challenge challenge, boolean proxy,
            String method, String uri, long nonceCount) throws ParseException {
        Digest.Answer a = Digest.answer(challenge, r.authUser(), r.password(), method, uri, sip.newTag(),
                nonceCount);
        StringBuilder v = new StringBuilder("Digest username=").append(quoted(a.username()))
                .append(", realm=").append(quoted(a.realm()))
                .append(", nonce=").append(quoted(a.nonce()))
                .append(", uri=").append(quoted(a.uri()))
                .append(", response=").append(quoted(a.response()))
                .append(", algorithm=").append(a.algorithm().token());
        if (a.opaque() != null) {
            v.append(", opaque=").append(quoted(a.opaque()));
        }
        if (a.qop() != null) {
            v.append(", qop=").append(a.qop()).append(", nc=").append(a.nonceCount())
                    .append(", cnonce=").append(quoted(a.cnonce()));
        }
        return sip.headerFactory.createHeader(proxy ? "Proxy-Authorization" : "Authorization", v.toString());
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private URI parse(String text, String what) {
        try {
            return sip.uris.parse(text);
        } catch (ParseException | RuntimeException e) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "invalid " + what + " URI: " + text);
        }
    }

    /** Back-off after {@code failures} consecutive failures (RFC 5626 §4.5), 50-100 % of W. */
    static Duration backOff(Duration retryBase, int failures) {
        long base = retryBase.toMillis();
        long w = Math.min(RETRY_MAX.toMillis(), base * (1L << Math.min(failures, 20)));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(w / 2, w + 1));
    }

    /**
     * When to refresh a binding granted {@code granted}: {@link #REFRESH_MARGIN} before it runs out,
     * or at half its time when that is shorter, so that a lost refresh still leaves room for the
     * retransmissions of one more (Timer F is 32 s).
     */
    static Duration refreshAfter(Duration granted) {
        Duration half = granted.dividedBy(2);
        return granted.minus(half.compareTo(REFRESH_MARGIN) < 0 ? half : REFRESH_MARGIN);
    }

    /**
     * One address of record's registration. Every state change happens under its monitor and
     * returns a {@link Step}, which {@link Registrations#send} carries out outside it.
     */
    final class Registration {

        final SipRegistration registration;
        final String callId;
        final String fromTag;
        final CompletableFuture<Void> gone = new CompletableFuture<>();

        private long cseq;
        private long requested;
        /** The CSeq of the REGISTER waiting for its final response; 0 when none is. */
        private long pending;
        private long pendingExpires;
        private Digest.Challenge challenge;
        private boolean proxyChallenge;
        private long nonceCount;
        /** Whether the pending REGISTER answers a challenge to this attempt (a second one fails). */
        private boolean answered;
        private boolean removing;
        private boolean registered;
        private int failures;
        private List<String> serviceRoute = List.of();
        private ScheduledFuture<?> timer;

        Registration(SipRegistration registration, String callId, String fromTag) {
            this.registration = registration;
            this.callId = callId;
            this.fromTag = fromTag;
        }

        synchronized long requested() {
            return requested;
        }

        synchronized List<String> serviceRoute() {
            return serviceRoute;
        }

        synchronized Step begin(long expiresSeconds) {
            requested = expiresSeconds;
            if (removing) {
                // unregister() came between its creation and this first REGISTER: it is forgotten.
                return Step.NONE;
            }
            return Step.send(attempt(requested));
        }

        /** Another register() while removing: the registration stays after all. */
        synchronized Step keep() {
            if (!removing) {
                return Step.NONE;
            }
            removing = false;
            if (pending != 0) {
                // The REGISTER with Expires: 0 in flight is followed by a new one on its answer.
                return Step.NONE;
            }
            return Step.send(attempt(requested));
        }

        synchronized Step remove() {
            if (removing) {
                return Step.NONE;
            }
            removing = true;
            cancelTimer();
            if (pending != 0) {
                // RFC 3261 §10.2: no new REGISTER before the last one has its final response.
                return Step.NONE;
            }
            if (!registered) {
                return Step.forget(new RegistrationState(RegistrationState.Status.UNREGISTERED, 0,
                        "not registered", null));
            }
            return Step.send(attempt(0));
        }

        synchronized Step timerFired() {
            timer = null;
            if (removing || pending != 0) {
                return Step.NONE;
            }
            return Step.send(attempt(requested));
        }

        synchronized void schedule(ScheduledFuture<?> next) {
            cancelTimer();
            if (removing) {
                next.cancel(false);
            } else {
                timer = next;
            }
        }

        synchronized Step challenged(long cseqOfResponse, Digest.Challenge offered, boolean proxy, int status) {
            if (cseqOfResponse != pending) {
                return Step.NONE;
            }
            if (answered && !offered.stale()) {
                // The credentials were refused: asking again with the same ones would loop.
                return failedLocked(status, "credentials refused by " + offered.realm());
            }
            // RFC 7616 §3.3: stale=true means the answer was right but its nonce too old.
            challenge = offered;
            proxyChallenge = proxy;
            nonceCount = 0;
            answered = true;
            return Step.send(attemptLocked(pendingExpires, true));
        }

        synchronized Step succeeded(long cseqOfResponse, long granted, List<String> route, Instant now) {
            if (cseqOfResponse != pending) {
                return Step.NONE;
            }
            pending = 0;
            if (pendingExpires == 0) {
                registered = false;
                if (removing) {
                    return Step.forget(new RegistrationState(RegistrationState.Status.UNREGISTERED, 200,
                            "unregistered", null));
                }
                return Step.send(attempt(requested));
            }
            if (removing) {
                registered = true;
                return Step.send(attempt(0));
            }
            if (granted <= 0) {
                return failedLocked(Response.OK, "the registrar granted no time to the binding");
            }
            registered = true;
            failures = 0;
            serviceRoute = List.copyOf(route);
            Duration grant = Duration.ofSeconds(granted);
            return new Step(null, new RegistrationState(RegistrationState.Status.REGISTERED, 200, "registered",
                    now.plus(grant)), refreshAfter(grant), false);
        }

        synchronized Step tooBrief(long cseqOfResponse, long minExpires, String reason) {
            if (cseqOfResponse != pending) {
                return Step.NONE;
            }
            // RFC 3261 §10.2.8: ask again for at least Min-Expires.
            if (minExpires > requested && !removing) {
                requested = minExpires;
                return Step.send(attemptLocked(requested, answered));
            }
            return failedLocked(Response.INTERVAL_TOO_BRIEF, reason);
        }

        synchronized Step failed(long cseqOfResponse, int status, String reason) {
            if (cseqOfResponse != pending) {
                return Step.NONE;
            }
            return failedLocked(status, reason);
        }

        private Step failedLocked(int status, String reason) {
            pending = 0;
            if (removing) {
                // The registrar drops a binding that is not refreshed anyway (RFC 3261 §10.2.1.1).
                return Step.forget(new RegistrationState(RegistrationState.Status.UNREGISTERED, status, reason, null));
            }
            registered = false;
            failures++;
            return new Step(null, new RegistrationState(RegistrationState.Status.FAILED, status, reason, null),
                    backOff(retryBase, failures), false);
        }

        /** A new attempt: a refresh, retry or removal, pre-answered with the last challenge. */
        private Attempt attempt(long expiresSeconds) {
            return attemptLocked(expiresSeconds, false);
        }

        private Attempt attemptLocked(long expiresSeconds, boolean answering) {
            answered = answering;
            pending = ++cseq;
            pendingExpires = expiresSeconds;
            if (challenge == null) {
                return new Attempt(pending, expiresSeconds, null, false, 0);
            }
            // RFC 7616 §3.4: nc counts the requests sent with this nonce.
            return new Attempt(pending, expiresSeconds, challenge, proxyChallenge, ++nonceCount);
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    /** One REGISTER to send. */
    record Attempt(long cseq, long expires, Digest.Challenge challenge, boolean proxy, long nonceCount) {}

    /**
     * What a state change decided: a REGISTER to send, a state to report, when to try next, and
     * whether the registration is over.
     */
    record Step(Attempt request, RegistrationState report, Duration after, boolean forget) {

        static final Step NONE = new Step(null, null, null, false);

        static Step send(Attempt attempt) {
            return new Step(attempt, null, null, false);
        }

        static Step forget(RegistrationState state) {
            return new Step(null, state, null, true);
        }
    }
}
