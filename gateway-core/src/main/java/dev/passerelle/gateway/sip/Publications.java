package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.SIPETagHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence web users publish, sent to the SIP network in IMS mode as PUBLISH (RFC 3903 §4,
 * event package presence of RFC 3856): one publication per address of record on this node, each
 * PUBLISH after the first naming the entity tag of the last 2xx in {@code SIP-If-Match}. A new
 * state is a modification (§4.4), the refresh before expiry a PUBLISH without a body (§4.3), the
 * removal {@code Expires: 0} (§4.5). One request per publication is in flight at a time; a state
 * asked for meanwhile waits for it, and only the latest waits. A 401/407 is answered once per
 * request with the user's registration on this node ({@link Challenges}); a 412 (the entity tag
 * expired at the server) makes the state go again as an initial publication, once.
 */
final class Publications {

    private static final Logger LOG = LoggerFactory.getLogger(Publications.class);

    /** What is asked for ({@code Expires}, RFC 3903 §4.1); the server may grant less. */
    static final Duration EXPIRES = Duration.ofSeconds(3600);
    /** RFC 3903 §11.2.1. */
    private static final int CONDITIONAL_REQUEST_FAILED = 412;

    private final SipContext sip;
    private final OutOfDialog outOfDialog;
    private final Challenges challenges;
    private final Map<String, Publication> byAor = new ConcurrentHashMap<>();

    /** What one PUBLISH carries: a document, or none for a refresh; {@code expires} 0 for the removal. */
    private record Step(String body, long expires, CompletableFuture<Void> done) {}

    /** One address of record's publication; its state is guarded by its monitor. */
    static final class Publication {
        final String aor;
        final String callId;
        final String fromTag;
        final String transport;
        final List<Address> routes;
        long cseq;
        String etag;
        /** The last document sent, for a new initial publication after 412. */
        String lastBody;
        Request current;
        Step inFlight;
        Step queued;
        boolean challengeAnswered;
        boolean retried412;
        boolean removed;
        ScheduledFuture<?> refresh;

        Publication(String aor, String callId, String fromTag, String transport, List<Address> routes) {
            this.aor = aor;
            this.callId = callId;
            this.fromTag = fromTag;
            this.transport = transport;
            this.routes = routes;
        }
    }

    Publications(SipContext sip, OutOfDialog outOfDialog, Challenges challenges) {
        this.sip = sip;
        this.outOfDialog = outOfDialog;
        this.challenges = challenges;
    }

    /** See {@link SipService#publish}. */
    CompletionStage<Void> publish(String aor, PresenceStatus status, String note) {
        if (sip.config.registrar().isEmpty()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "PUBLISH needs sip.registrar (IMS mode)");
        }
        Publication p = byAor.computeIfAbsent(aor, this::open);
        String body = Pidf.build(aor, status, note);
        Step step = new Step(body, EXPIRES.toSeconds(), new CompletableFuture<>());
        synchronized (p) {
            p.removed = false;
            p.lastBody = body;
            enqueue(p, step);
        }
        return step.done;
    }

    /** See {@link SipService#unpublish}. */
    CompletionStage<Void> unpublish(String aor) {
        Publication p = byAor.get(aor);
        if (p == null) {
            return CompletableFuture.completedFuture(null);
        }
        Step step = new Step(null, 0, new CompletableFuture<>());
        synchronized (p) {
            cancelRefresh(p);
            p.removed = true;
            if (p.etag == null && p.inFlight == null) {
                // Nothing published at the server: nothing to remove.
                byAor.remove(aor, p);
                return CompletableFuture.completedFuture(null);
            }
            enqueue(p, step);
        }
        return step.done;
    }

    /** Removes every publication of this node; completes when each has its answer. */
    CompletableFuture<Void> unpublishAll() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String aor : List.copyOf(byAor.keySet())) {
            all.add(unpublish(aor).toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    void onResponse(Publication p, ClientTransaction ct, Response response) {
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        synchronized (p) {
            if (ct.getRequest() != p.current || p.inFlight == null) {
                return;
            }
            if ((status == Response.UNAUTHORIZED || status == Response.PROXY_AUTHENTICATION_REQUIRED)
                    && !p.challengeAnswered && answerChallenge(p, response)) {
                return;
            }
            Step step = p.inFlight;
            if (status < 300) {
                SIPETagHeader etag = (SIPETagHeader) response.getHeader(SIPETagHeader.NAME);
                p.etag = step.expires() == 0 || etag == null ? null : etag.getETag();
                ExpiresHeader granted = response.getExpires();
                long seconds = granted == null ? step.expires() : Math.min(granted.getExpires(), step.expires());
                if (step.expires() > 0 && seconds > 0 && p.etag != null) {
                    scheduleRefresh(p, Registrations.refreshAfter(Duration.ofSeconds(seconds)));
                }
                p.retried412 = false;
                finishStep(p, null);
                return;
            }
            if (status == CONDITIONAL_REQUEST_FAILED && !p.retried412 && step.expires() > 0) {
                // RFC 3903 §4.4: the server forgot our entity tag; publish the state afresh.
                p.retried412 = true;
                p.etag = null;
                p.inFlight = new Step(p.lastBody, step.expires(), step.done());
                sendCurrent(p);
                return;
            }
            p.etag = step.expires() == 0 ? null : p.etag;
            finishStep(p, new GatewayException(ErrorCode.forSipStatus(status),
                    "PUBLISH of " + p.aor + " failed: " + status + " " + response.getReasonPhrase()));
        }
    }

    void onTimeout(Publication p, ClientTransaction ct) {
        synchronized (p) {
            if (ct.getRequest() == p.current && p.inFlight != null) {
                finishStep(p, new GatewayException(ErrorCode.TIMEOUT, "PUBLISH of " + p.aor + ": no answer"));
            }
        }
    }

    int size() {
        return byAor.size();
    }

    // ---- under the publication's monitor ---------------------------------------------------------

    private void enqueue(Publication p, Step step) {
        if (p.inFlight == null) {
            p.inFlight = step;
            sendCurrent(p);
            return;
        }
        Step previous = p.queued;
        p.queued = step;
        if (previous != null) {
            // Superseded before it left: the newer state's outcome is its outcome.
            step.done().whenComplete((ok, failure) -> complete(previous.done(), failure));
        }
    }

    private void finishStep(Publication p, Throwable failure) {
        Step done = p.inFlight;
        p.inFlight = null;
        p.current = null;
        if (failure != null) {
            LOG.info("{}", failure.getMessage());
        }
        if (p.queued != null) {
            p.inFlight = p.queued;
            p.queued = null;
            sendCurrent(p);
        } else if (p.removed) {
            cancelRefresh(p);
            byAor.remove(p.aor, p);
        }
        complete(done.done(), failure);
    }

    private static void complete(CompletableFuture<Void> future, Throwable failure) {
        if (failure == null) {
            future.complete(null);
        } else {
            future.completeExceptionally(failure);
        }
    }

    private void sendCurrent(Publication p) {
        p.challengeAnswered = false;
        try {
            send(p, build(p, p.inFlight));
        } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
            finishStep(p, new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "cannot send the PUBLISH of " + p.aor + ": " + e.getMessage(), e));
        }
    }

    private boolean answerChallenge(Publication p, Response challenge) {
        try {
            Optional<Request> retry = challenges.answer(p.current, challenge, p.aor);
            if (retry.isEmpty()) {
                return false;
            }
            p.challengeAnswered = true;
            p.cseq = ((CSeqHeader) retry.get().getHeader(CSeqHeader.NAME)).getSeqNumber();
            send(p, retry.get());
            return true;
        } catch (ParseException | SipException | RuntimeException e) {
            LOG.warn("cannot answer the {} to the PUBLISH of {}", challenge.getStatusCode(), p.aor, e);
            return false;
        }
    }

    private void send(Publication p, Request request) throws SipException {
        ClientTransaction ct = sip.provider.getNewClientTransaction(request);
        ct.setApplicationData(p);
        ct.setRetransmitTimer((int) sip.t1.toMillis());
        p.current = request;
        ct.sendRequest();
    }

    private void scheduleRefresh(Publication p, Duration after) {
        cancelRefresh(p);
        p.refresh = sip.timers.schedule(() -> {
            synchronized (p) {
                // A request in flight or waiting renews the publication anyway.
                if (!p.removed && p.etag != null && p.inFlight == null && p.queued == null) {
                    enqueue(p, new Step(null, EXPIRES.toSeconds(), new CompletableFuture<>()));
                }
            }
        }, after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void cancelRefresh(Publication p) {
        if (p.refresh != null) {
            p.refresh.cancel(false);
            p.refresh = null;
        }
    }

    // ---- building --------------------------------------------------------------------------------

    private Publication open(String aor) {
        URI uri = parse(aor);
        // Routed as the user's INVITEs are.
        String transport = outOfDialog.transportTo(uri, aor);
        List<Address> routes = outOfDialog.preloadedRoute(aor);
        return new Publication(aor, sip.provider.getNewCallId().getCallId(), sip.newTag(), transport, routes);
    }

    /** RFC 3903 §4.1: Request-URI, From and To the address of record. */
    private Request build(Publication p, Step step) throws ParseException, InvalidArgumentException {
        URI aor = parse(p.aor);
        Request r = sip.request(aor, Request.PUBLISH, sip.headerFactory.createCallIdHeader(p.callId), ++p.cseq,
                sip.headerFactory.createFromHeader(sip.addressFactory.createAddress(aor), p.fromTag),
                sip.headerFactory.createToHeader(sip.addressFactory.createAddress((URI) aor.clone()), null),
                p.transport, p.routes);
        r.addHeader(sip.headerFactory.createEventHeader(Subscriptions.EVENT));
        r.addHeader(sip.headerFactory.createExpiresHeader((int) step.expires()));
        if (p.etag != null) {
            r.addHeader(sip.headerFactory.createSIPIfMatchHeader(p.etag));
        }
        sip.addUserAgent(r);
        if (step.body() != null) {
            r.setContent(step.body().getBytes(StandardCharsets.UTF_8),
                    sip.headerFactory.createContentTypeHeader(Pidf.CONTENT_TYPE, Pidf.CONTENT_SUBTYPE));
        }
        return r;
    }

    private URI parse(String aor) {
        try {
            return sip.uris.parse(aor);
        } catch (ParseException | RuntimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "invalid AOR: " + aor);
        }
    }
}
