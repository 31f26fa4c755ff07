package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
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
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence subscriptions of web users to SIP presentities, the gateway as subscriber (RFC 6665
 * §4.1, RFC 3856 §6): SUBSCRIBE with {@code Event: presence}, NOTIFYs with PIDF bodies reported as
 * {@link SipEvents#presence}, refreshed before they expire, ended with {@code Expires: 0}.
 *
 * <p>The dialog of a subscription is kept here, not in a JAIN-SIP dialog: a NOTIFY may create it
 * before the SUBSCRIBE's 2xx arrives (RFC 6665 §4.1.2.4), and with automatic dialog support off
 * the stack hands such a NOTIFY over without a dialog. Every request of a subscription is built
 * from its state, like the REGISTERs of {@link Registrations}. Each subscription's state is
 * guarded by its monitor.
 */
final class Subscriptions {

    private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

    static final String EVENT = "presence";
    /** The duration asked for when none is configured (RFC 3856 §6.4 suggests one hour). */
    static final Duration DEFAULT_EXPIRES = Duration.ofSeconds(3600);

    private final SipContext sip;
    private final OutOfDialog outOfDialog;
    private final Challenges challenges;
    private final Duration expires;
    private final Map<String, Subscription> byId = new ConcurrentHashMap<>();
    private final Map<String, Subscription> byCallId = new ConcurrentHashMap<>();

    enum State { PENDING, ACTIVE, ENDING, ENDED }

    /** One subscription, i.e. one SUBSCRIBE dialog; a re-subscription is a new one under the same id. */
    static final class Subscription {
        final String id;
        final String fromAor;
        final String target;
        final String callId;
        final String localTag;
        final String transport;
        final CompletableFuture<Void> established;
        /** Completes once the subscription is gone, whatever ended it. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        State state = State.PENDING;
        long cseq;
        String remoteTag;
        URI remoteTarget;
        List<Address> routeSet;
        /** The request whose answer is awaited, and whether a challenge to it was answered. */
        Request current;
        boolean challengeAnswered;
        /** Whether {@link #current} is the removal ({@code Expires: 0}). */
        boolean removing;
        /** Whether the subscription was already renewed once after a deactivated or timeout end. */
        boolean resubscribed;
        ScheduledFuture<?> refresh;

        Subscription(String id, String fromAor, String target, String callId, String localTag, String transport,
                List<Address> routeSet, CompletableFuture<Void> established) {
            this.id = id;
            this.fromAor = fromAor;
            this.target = target;
            this.callId = callId;
            this.localTag = localTag;
            this.transport = transport;
            this.routeSet = routeSet;
            this.established = established;
        }
    }

    Subscriptions(SipContext sip, OutOfDialog outOfDialog, Challenges challenges, Duration expires) {
        this.sip = sip;
        this.outOfDialog = outOfDialog;
        this.challenges = challenges;
        this.expires = expires;
    }

    /** See {@link SipService#subscribe}. */
    CompletionStage<Void> subscribe(String id, String fromAor, String target) {
        if (byId.containsKey(id)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "subscription id already in use: " + id);
        }
        Subscription s = open(id, fromAor, target, false, new CompletableFuture<>());
        if (byId.putIfAbsent(id, s) != null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "subscription id already in use: " + id);
        }
        byCallId.put(s.callId, s);
        try {
            synchronized (s) {
                send(s, initial(s));
            }
        } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
            forget(s);
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "cannot send the SUBSCRIBE to " + target + ": " + e.getMessage(), e);
        }
        return s.established;
    }

    /** See {@link SipService#unsubscribe}. */
    void unsubscribe(String id) {
        Subscription s = byId.remove(id);
        if (s != null) {
            end(s);
        }
    }

    /** Ends every subscription ({@code Expires: 0}); completes when each has its answer or is given up. */
    CompletableFuture<Void> unsubscribeAll() {
        List<CompletableFuture<Void>> ending = new ArrayList<>();
        for (String id : List.copyOf(byId.keySet())) {
            Subscription s = byId.remove(id);
            if (s != null) {
                ending.add(s.ended);
                end(s);
            }
        }
        return CompletableFuture.allOf(ending.toArray(CompletableFuture[]::new));
    }

    // ---- responses and timeouts ----------------------------------------------------------------

    void onResponse(Subscription s, ClientTransaction ct, Response response) {
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        synchronized (s) {
            if (ct.getRequest() != s.current) {
                // The answer to a request already superseded (challenged, or a refresh raced it).
                return;
            }
            if (s.state == State.ENDED) {
                return;
            }
            if ((status == Response.UNAUTHORIZED || status == Response.PROXY_AUTHENTICATION_REQUIRED)
                    && !s.challengeAnswered && answerChallenge(s, response)) {
                return;
            }
            if (status < 300) {
                onSuccess(s, response);
            } else {
                onFailure(s, status, response.getReasonPhrase());
            }
        }
    }

    void onTimeout(Subscription s, ClientTransaction ct) {
        synchronized (s) {
            if (ct.getRequest() == s.current && s.state != State.ENDED) {
                onFailure(s, Response.REQUEST_TIMEOUT, "Request Timeout");
            }
        }
    }

    /** Under the monitor of {@code s}. */
    private void onSuccess(Subscription s, Response response) {
        ExpiresHeader granted = response.getExpires();
        boolean unsubscribing = s.state == State.ENDING;
        if (s.remoteTag == null) {
            // RFC 6665 §4.1.2.1: the 2xx creates the dialog unless a NOTIFY already did.
            s.remoteTag = ((ToHeader) response.getHeader(ToHeader.NAME)).getTag();
            s.routeSet = reversedRecordRoute(response);
            updateTarget(s, response);
        }
        s.challengeAnswered = false;
        s.current = null;
        if (unsubscribing) {
            if (s.removing) {
                finish(s);
            } else {
                sendQuietly(s, 0);
            }
            return;
        }
        s.state = State.ACTIVE;
        s.established.complete(null);
        long seconds = granted == null ? expires.toSeconds() : Math.min(granted.getExpires(), expires.toSeconds());
        if (seconds <= 0) {
            // A 2xx granting nothing: the subscription ends at once (RFC 6665 §4.1.2.1).
            finishAsOffline(s);
            return;
        }
        scheduleRefresh(s, Registrations.refreshAfter(Duration.ofSeconds(seconds)));
    }

    /** Under the monitor of {@code s}. */
    private void onFailure(Subscription s, int status, String reason) {
        s.current = null;
        if (s.state == State.ENDING) {
            finish(s);
            return;
        }
        if (s.state == State.PENDING) {
            byId.remove(s.id, s);
            finish(s);
            s.established.completeExceptionally(new GatewayException(ErrorCode.forSipStatus(status),
                    "SUBSCRIBE to " + s.target + " failed: " + status + " " + reason));
            return;
        }
        // RFC 6665 §4.1.2.2: a refresh that fails ends the subscription; 481 says so at once.
        LOG.info("refresh of presence subscription {} to {} failed: {} {}", s.id, s.target, status, reason);
        finishAsOffline(s);
    }

    private boolean answerChallenge(Subscription s, Response challenge) {
        try {
            Optional<Request> retry = challenges.answer(s.current, challenge, s.fromAor);
            if (retry.isEmpty()) {
                return false;
            }
            s.challengeAnswered = true;
            s.cseq = ((CSeqHeader) retry.get().getHeader(CSeqHeader.NAME)).getSeqNumber();
            send(s, retry.get());
            return true;
        } catch (ParseException | SipException | RuntimeException e) {
            LOG.warn("cannot answer the {} to the SUBSCRIBE of {}", challenge.getStatusCode(), s.id, e);
            return false;
        }
    }

    // ---- NOTIFY --------------------------------------------------------------------------------

    /**
     * A NOTIFY of the presence package (RFC 6665 §4.1.3): answered here, 481 when it matches no
     * subscription, 415 for a body other than PIDF, 400 for a malformed PIDF (the subscription is
     * kept), else 200 and the state reported.
     */
    void onNotify(IncomingRequest in) {
        Request notify = in.request;
        String callId = ((CallIdHeader) notify.getHeader(CallIdHeader.NAME)).getCallId();
        Subscription s = byCallId.get(callId);
        ToHeader to = (ToHeader) notify.getHeader(ToHeader.NAME);
        if (s == null || !s.localTag.equals(to.getTag())) {
            in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Subscription does not exist");
            return;
        }
        String remoteTag = ((FromHeader) notify.getHeader(FromHeader.NAME)).getTag();
        SubscriptionStateHeader state = (SubscriptionStateHeader) notify.getHeader(SubscriptionStateHeader.NAME);
        String body = SipContext.body(notify);
        Pidf.Presence presence = null;
        if (body != null) {
            ContentTypeHeader type = (ContentTypeHeader) notify.getHeader(ContentTypeHeader.NAME);
            if (type == null || !Pidf.CONTENT_TYPE.equalsIgnoreCase(type.getContentType())
                    || !Pidf.CONTENT_SUBTYPE.equalsIgnoreCase(type.getContentSubType())) {
                in.respond(Response.UNSUPPORTED_MEDIA_TYPE);
                return;
            }
            try {
                presence = Pidf.parse(body);
            } catch (GatewayException e) {
                in.respond(Response.BAD_REQUEST, e.getMessage());
                return;
            }
        }
        boolean report;
        boolean resubscribe = false;
        boolean offline = false;
        synchronized (s) {
            if (s.remoteTag == null) {
                // RFC 6665 §4.1.2.4: the NOTIFY came first and creates the dialog.
                s.remoteTag = remoteTag;
                s.routeSet = recordRoute(notify);
            } else if (!s.remoteTag.equals(remoteTag)) {
                // A second notifier (a forked SUBSCRIBE): one dialog per subscription is kept.
                in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Subscription does not exist");
                return;
            }
            // RFC 6665 §4.1.3: NOTIFY is a target refresh request.
            updateTarget(s, notify);
            in.respond(Response.OK);
            if (s.state == State.ENDING || s.state == State.ENDED) {
                return;
            }
            report = presence != null;
            if (state != null && SubscriptionStateHeader.TERMINATED.equalsIgnoreCase(state.getState())) {
                String reason = state.getReasonCode() == null ? "" : state.getReasonCode().toLowerCase(Locale.ROOT);
                cancelRefresh(s);
                s.state = State.ENDED;
                // A notifier that ends the subscription had accepted it, even with its 2xx still
                // on the way: the subscriber's request succeeds, and the end follows as an event.
                s.established.complete(null);
                // RFC 6665 §4.1.3: after deactivated or timeout a new subscription may be tried at once.
                resubscribe = (reason.equals("deactivated") || reason.equals("timeout")) && !s.resubscribed
                        && byId.get(s.id) == s;
                offline = !resubscribe;
                report = report && !offline;
                forget(s);
            }
        }
        if (report) {
            sip.events.presence(s.id, presence.status(), presence.note(), false);
        }
        if (resubscribe) {
            resubscribe(s);
        } else if (offline && byId.remove(s.id, s)) {
            sip.events.presence(s.id, PresenceStatus.OFFLINE, presence == null ? null : presence.note(), true);
        }
    }

    /** A new subscription under the same id, once, after the notifier ended the previous one. */
    private void resubscribe(Subscription old) {
        Subscription s = open(old.id, old.fromAor, old.target, true, new CompletableFuture<>());
        s.established.whenComplete((ok, failure) -> {
            if (failure != null && !(failure instanceof GatewayException g && g.code() == ErrorCode.REQUEST_TERMINATED)) {
                LOG.info("re-subscription {} to {} failed: {}", s.id, s.target, failure.getMessage());
                sip.events.presence(s.id, PresenceStatus.OFFLINE, null, true);
            }
        });
        if (!byId.replace(old.id, old, s)) {
            return;
        }
        byCallId.put(s.callId, s);
        synchronized (s) {
            try {
                send(s, initial(s));
            } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
                LOG.warn("cannot re-subscribe {} to {}", s.id, s.target, e);
                byId.remove(s.id, s);
                finish(s);
                sip.events.presence(s.id, PresenceStatus.OFFLINE, null, true);
            }
        }
    }

    // ---- building and sending ------------------------------------------------------------------

    private Subscription open(String id, String fromAor, String target, boolean resubscribed,
            CompletableFuture<Void> established) {
        URI uri = parse(target, "target");
        parse(fromAor, "fromAor");
        // Routed as the subscriber's INVITEs are.
        String transport = outOfDialog.transportTo(uri, target);
        List<Address> routes = outOfDialog.preloadedRoute(fromAor);
        Subscription s = new Subscription(id, fromAor, target, sip.provider.getNewCallId().getCallId(), sip.newTag(),
                transport, routes, established);
        s.resubscribed = resubscribed;
        return s;
    }

    /** The SUBSCRIBE that creates the subscription (RFC 6665 §4.1.2.1, RFC 3856 §6). */
    private Request initial(Subscription s) throws ParseException, InvalidArgumentException {
        s.cseq = 1;
        return build(s, parse(s.target, "target"), null, expires.toSeconds());
    }

    /** A SUBSCRIBE within the dialog: refresh, or removal with {@code expiresSeconds} 0 (RFC 6665 §4.1.2.2-3). */
    private Request inDialog(Subscription s, long expiresSeconds) throws ParseException, InvalidArgumentException {
        s.cseq++;
        return build(s, s.remoteTarget != null ? s.remoteTarget : parse(s.target, "target"), s.remoteTag,
                expiresSeconds);
    }

    private Request build(Subscription s, URI requestUri, String remoteTag, long expiresSeconds)
            throws ParseException, InvalidArgumentException {
        FromHeader from = sip.headerFactory.createFromHeader(
                sip.addressFactory.createAddress(parse(s.fromAor, "fromAor")), s.localTag);
        ToHeader to = sip.headerFactory.createToHeader(sip.addressFactory.createAddress(parse(s.target, "target")),
                remoteTag);
        Request r = sip.request(requestUri, Request.SUBSCRIBE, sip.headerFactory.createCallIdHeader(s.callId), s.cseq,
                from, to, s.transport, s.routeSet);
        r.addHeader(sip.contact(s.transport));
        r.addHeader(sip.headerFactory.createEventHeader(EVENT));
        r.addHeader(sip.headerFactory.createAcceptHeader(Pidf.CONTENT_TYPE, Pidf.CONTENT_SUBTYPE));
        r.addHeader(sip.headerFactory.createExpiresHeader((int) expiresSeconds));
        sip.addUserAgent(r);
        return r;
    }

    /** Under the monitor of {@code s}: sends a new request of the subscription and waits for its answer. */
    private void send(Subscription s, Request request) throws SipException {
        ClientTransaction ct = sip.provider.getNewClientTransaction(request);
        ct.setApplicationData(s);
        ct.setRetransmitTimer((int) sip.t1.toMillis());
        s.current = request;
        ct.sendRequest();
    }

    /** Under the monitor of {@code s}: a refresh or removal; a failure to send ends the subscription. */
    private void sendQuietly(Subscription s, long expiresSeconds) {
        try {
            s.challengeAnswered = false;
            s.removing = expiresSeconds == 0;
            send(s, inDialog(s, expiresSeconds));
        } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
            LOG.warn("cannot send the SUBSCRIBE (Expires {}) of {} to {}", expiresSeconds, s.id, s.target, e);
            if (expiresSeconds == 0) {
                finish(s);
            } else {
                finishAsOffline(s);
            }
        }
    }

    private void end(Subscription s) {
        synchronized (s) {
            cancelRefresh(s);
            switch (s.state) {
                case PENDING -> {
                    // The SUBSCRIBE is still unanswered: its 2xx sends the removal (onSuccess), a
                    // failure needs none.
                    s.state = State.ENDING;
                    s.established.completeExceptionally(
                            new GatewayException(ErrorCode.REQUEST_TERMINATED, "unsubscribed"));
                }
                case ACTIVE -> {
                    s.state = State.ENDING;
                    sendQuietly(s, 0);
                }
                default -> {
                    // Already ending or ended.
                }
            }
        }
    }

    private void scheduleRefresh(Subscription s, Duration after) {
        cancelRefresh(s);
        s.refresh = sip.timers.schedule(() -> {
            synchronized (s) {
                if (s.state == State.ACTIVE && s.current == null) {
                    sendQuietly(s, expires.toSeconds());
                }
            }
        }, after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void cancelRefresh(Subscription s) {
        if (s.refresh != null) {
            s.refresh.cancel(false);
            s.refresh = null;
        }
    }

    /** Under the monitor of {@code s}: the subscription is over and the application hears {@code offline}. */
    private void finishAsOffline(Subscription s) {
        finish(s);
        if (byId.remove(s.id, s)) {
            sip.events.presence(s.id, PresenceStatus.OFFLINE, null, true);
        }
    }

    /** Under the monitor of {@code s}. */
    private void finish(Subscription s) {
        cancelRefresh(s);
        s.state = State.ENDED;
        forget(s);
    }

    /**
     * Stops matching the subscription's Call-ID after 64*T1, so that a NOTIFY the notifier sends
     * while it handles our removal is still answered 200 rather than 481.
     */
    private void forget(Subscription s) {
        s.ended.complete(null);
        sip.timers.schedule(() -> byCallId.remove(s.callId, s), sip.timer64T1Millis(), TimeUnit.MILLISECONDS);
    }

    private void updateTarget(Subscription s, javax.sip.message.Message message) {
        ContactHeader contact = (ContactHeader) message.getHeader(ContactHeader.NAME);
        if (contact != null && contact.getAddress() != null) {
            s.remoteTarget = (URI) contact.getAddress().getURI().clone();
        }
    }

    /** The route set of the subscriber from a 2xx: its Record-Route in reverse (RFC 3261 §12.1.2). */
    private List<Address> reversedRecordRoute(Response response) {
        List<Address> routes = recordRoute(response);
        java.util.Collections.reverse(routes);
        return routes.isEmpty() ? List.of() : routes;
    }

    /** Record-Route in order: the route set of the side that receives the request (RFC 3261 §12.1.1). */
    private static List<Address> recordRoute(javax.sip.message.Message message) {
        List<Address> routes = new ArrayList<>();
        ListIterator<?> it = message.getHeaders(RecordRouteHeader.NAME);
        while (it != null && it.hasNext()) {
            routes.add((Address) ((RecordRouteHeader) it.next()).getAddress().clone());
        }
        return routes;
    }

    private URI parse(String text, String what) {
        try {
            return sip.uris.parse(text);
        } catch (ParseException | RuntimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "invalid " + what + " URI: " + text);
        }
    }
}
