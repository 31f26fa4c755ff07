package dev.passerelle.gateway.routes;

import dev.passerelle.connector.spi.DialPlan;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.ProviderInvite;
import dev.passerelle.gateway.connector.Providers;
import dev.passerelle.gateway.config.GatewayConfig.SipConfig;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.media.MediaAnchor;
import dev.passerelle.gateway.media.MediaAnchor.Leg;
import dev.passerelle.gateway.session.CallKind;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.CallState;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.Event;
import dev.passerelle.gateway.signaling.Event.By;
import dev.passerelle.gateway.signaling.Method;
import dev.passerelle.gateway.signaling.Params;
import dev.passerelle.gateway.signaling.Results;
import dev.passerelle.gateway.sip.InboundInvite;
import dev.passerelle.gateway.sip.OutboundInvite;
import dev.passerelle.gateway.sip.SipService;
import dev.passerelle.gateway.sip.SipUri;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps {@link CallRoutes} is made of. Each step reads the exchange, changes the store
 * atomically, and leaves on the exchange what the next endpoint needs: a {@link Delivery} list
 * for {@code websession:events}, an {@link OutboundInvite} for {@code sip:invite}, headers for the
 * other SIP actions. A step that finds nothing left to do stops the route.
 *
 * <p>A call to a destination a provider claims ({@link CallKind#PROVIDER}) goes through the same
 * steps as a call with a SIP leg: the provider plays the SIP leg's part, its reports arrive as
 * {@link SipEvent}s, and ending the call hangs the provider up instead of sending BYE or CANCEL.
 */
final class CallSteps {
    private static final Logger log = LoggerFactory.getLogger(CallSteps.class);
    /** How many targets a call may be redirected to, in all (RFC 3261 §8.1.3.4 leaves it to us). */
    static final int MAX_REDIRECT_TARGETS = 5;

    private final SessionStore store;
    /** Anchors calls that have a SIP leg. */
    private final MediaAnchor media;
    /** Web-to-web calls: both ends speak WebRTC, so their media goes end to end. */
    private final MediaAnchor direct;
    private final IdentityConnector identity;
    private final SipConfig sip;
    private final SipService sipSide;
    private final Clock clock;
    private final BooleanSupplier draining;
    private final RingTimer ringTimer;
    private final Cluster cluster;
    private final Providers providers;
    private final ProviderCalls providerCalls;
    /**
     * The INVITE of each outbound call not answered yet, and the targets it was sent to, so that
     * a 3xx can be followed with the same offer. Kept on the node that drives the call, which is
     * the one its SIP events reach; gone once the call is answered or ended.
     */
    private final Map<String, Redirects> redirects = new ConcurrentHashMap<>();
    /**
     * Calls whose SIP peer sent a REFER not yet answered by a {@code call.invite}: call id to the
     * Refer-To target. And the calls placed in answer, to the call whose peer asked for them,
     * until their outcome is reported to that peer (RFC 3515 §2.4.4). Both on the owner node.
     */
    private final Map<String, String> pendingReferrals = new ConcurrentHashMap<>();
    private final Map<String, String> referredCalls = new ConcurrentHashMap<>();
    /** Where the reports of provider calls go: {@code direct:provider-event}. */
    private final Consumer<SipEvent> providerEvents;
    /** Carries the gateway's {@code call.update} requests to the browsers attached here. */
    private final SessionPusher pusher;
    /** How long a browser has to answer the gateway's {@code call.update} request. */
    private final Duration updateTimeout;
    /** Calls driven here with an offer/answer exchange in progress (RFC 3264 §4: one at a time). */
    private final Set<String> updating = ConcurrentHashMap.newKeySet();

    /** Schedules the end of a call that rings unanswered for too long. */
    @FunctionalInterface
    interface RingTimer {
        void start(String callId);
    }

    CallSteps(SessionStore store, MediaAnchor media, MediaAnchor direct, IdentityConnector identity, SipConfig sip,
            SipService sipSide, Clock clock, BooleanSupplier draining, RingTimer ringTimer, Cluster cluster,
            Providers providers, ProviderCalls providerCalls, Consumer<SipEvent> providerEvents,
            SessionPusher pusher, Duration updateTimeout) {
        this.pusher = pusher;
        this.updateTimeout = updateTimeout;
        this.cluster = cluster;
        this.providers = providers;
        this.providerCalls = providerCalls;
        this.providerEvents = providerEvents;
        this.store = store;
        this.media = media;
        this.direct = direct;
        this.identity = identity;
        this.sip = sip;
        this.sipSide = sipSide;
        this.clock = clock;
        this.draining = draining;
        this.ringTimer = ringTimer;
    }

    // ---- call.invite -------------------------------------------------------------------------

    /** What a client's {@code to} names. */
    record Target(String webUser, String sipUri) {
        boolean isWebUser() {
            return webUser != null;
        }
    }

    /** Header holding the resolved {@link Target} of a {@code call.invite}. */
    static final String TARGET = "PasserelleTarget";
    /** Header holding the {@link Providers.Claim} of a {@code call.invite} a provider takes. */
    static final String PROVIDER_CLAIM = "PasserelleProviderClaim";

    /**
     * Web users first; else a provider that claims {@code to} as the client wrote it; else SIP. The
     * dial plan is checked against the resolved destination (the SIP or tel URI, or {@code to} as
     * written when only a provider understands it) before a provider is asked, so that it also
     * refuses provider destinations.
     */
    void resolveTarget(Exchange exchange) {
        if (draining.getAsBoolean()) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "the gateway is shutting down");
        }
        Params.Invite invite = exchange.getMessage().getBody(Params.Invite.class);
        // Before anything leaves, whatever kind of call: a browser cannot assert an identity to a
        // phone, to a provider or to another browser.
        sipSide.checkHeaders(invite.headers());
        SessionRecord caller = session(exchange.getMessage());
        Destination destination = destination(invite.to(), caller);
        Target target = destination.target();
        destination.claim().ifPresent(claim -> exchange.getMessage().setHeader(PROVIDER_CLAIM, claim));
        if (invite.referredBy() != null) {
            String referring = invite.referredBy();
            boolean ours = store.call(referring).map(c -> c.involves(caller.sessionId())).orElse(false);
            if (!ours || !pendingReferrals.containsKey(referring)) {
                throw new GatewayException(ErrorCode.NOT_FOUND, "referredBy: no call " + referring
                        + " of this session waits for a referred call");
            }
            exchange.getMessage().setHeader(Headers.REFERRING_CALL, referring);
        }
        exchange.getMessage().setHeader(TARGET, target);
    }

    /** A resolved {@code to}, with the claim of the provider that takes it, if one does. */
    record Destination(Target target, Optional<Providers.Claim> claim) {}

    /**
     * {@code to} as {@code call.invite} reads it ({@link #resolve}), checked against the caller's
     * dial plan (403) before a provider is asked; 404 when neither a web user, a SIP destination
     * nor a provider's.
     */
    Destination destination(String rawTo, SessionRecord caller) {
        String to = rawTo.trim();
        Target target;
        GatewayException unresolved = null;
        try {
            target = resolve(to);
        } catch (GatewayException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            unresolved = e;
            target = new Target(null, to);
        }
        String destination = target.isWebUser() ? target.webUser() : target.sipUri();
        // Checked before anything leaves: a stolen token cannot reach what its user may not.
        if (!new DialPlan(caller.dialAllow(), caller.dialDeny()).permits(destination)) {
            throw new GatewayException(ErrorCode.FORBIDDEN, "to: '" + destination + "' is not a destination "
                    + caller.user() + " may call");
        }
        Optional<Providers.Claim> claim = Optional.empty();
        if (!target.isWebUser()) {
            claim = providers.claim(to);
            if (claim.isEmpty() && unresolved != null) {
                throw unresolved;
            }
        }
        return new Destination(target, claim);
    }

    boolean targetIsWebUser(Exchange exchange) {
        return exchange.getMessage().getHeader(TARGET, Target.class).isWebUser();
    }

    boolean targetIsProvider(Exchange exchange) {
        return exchange.getMessage().getHeader(PROVIDER_CLAIM) != null;
    }

    /**
     * A SIP or tel URI names a SIP destination unless it is the AOR of a known web user here; a
     * number ({@code sip.numbers}: global, or national when a country code is set) becomes a
     * Request-URI in the configured form, and so does the global number of a tel URI; anything
     * else must be a web user's name.
     */
    private Target resolve(String to) {
        if (to.indexOf(':') > 0) {
            SipUri uri = sipSide.parseUri(to);
            if (uri.scheme().equals("tel")) {
                return new Target(null, sip.numbers().global(uri.user())
                        .map(n -> sip.numbers().uri(n, sip.domain())).orElse(to));
            }
            if (uri.user() != null && isOurHost(uri.host()) && isKnownUser(uri.user())) {
                return new Target(uri.user(), null);
            }
            return new Target(null, to);
        }
        Optional<String> number = sip.numbers().global(to);
        // A web user's name wins over a national number; a global number (with '+') is no name.
        if (number.isPresent() && (to.charAt(0) == '+' || !isKnownUser(to))) {
            return new Target(null, sip.numbers().uri(number.get(), sip.domain()));
        }
        if (isKnownUser(to)) {
            return new Target(to, null);
        }
        throw new GatewayException(ErrorCode.NOT_FOUND,
                "to: '" + to + "' is neither a SIP or tel URI, a telephone number, nor a known user");
    }

    /**
     * What the {@code to} of {@code presence.subscribe} names, read like {@code call.invite}'s
     * (404 when it is neither a URI, a number nor a known user) and checked against the
     * subscriber's dial plan (403): a user may watch only whom they may call.
     */
    Target presentity(SessionRecord subscriber, String to) {
        Target target = resolve(to);
        String destination = target.isWebUser() ? target.webUser() : target.sipUri();
        if (!new DialPlan(subscriber.dialAllow(), subscriber.dialDeny()).permits(destination)) {
            throw new GatewayException(ErrorCode.FORBIDDEN, "to: '" + destination + "' is not a destination "
                    + subscriber.user() + " may call");
        }
        return target;
    }

    boolean isOurHost(String host) {
        return host.equalsIgnoreCase(sip.domain()) || host.equalsIgnoreCase(sip.host());
    }

    boolean isKnownUser(String user) {
        return identity.lookup(user).isPresent() || !store.sessionsOfUser(user).isEmpty();
    }

    /** Web → SIP: stores the call, passes the offer through the media anchor, builds the INVITE. */
    void createOutboundCall(Exchange exchange) {
        Message in = exchange.getMessage();
        SessionRecord caller = session(in);
        Params.Invite invite = in.getBody(Params.Invite.class);
        Target target = in.getHeader(TARGET, Target.class);
        String callId = newCallId();
        linkReferral(in, callId);
        store.createCall(CallRecord.create(callId, CallKind.WEB_TO_SIP, caller.sessionId(), caller.sipUri(),
                caller.displayName(), target.sipUri(), Set.of(), clock.instant(), cluster.nodeId()));
        in.setHeader(Headers.CALL_ID, callId);
        String sdp = fromClient(() -> media.offer(callId, Leg.WEB, invite.sdp()), callId);
        OutboundInvite outbound = new OutboundInvite(callId, caller.sipUri(), caller.displayName(), target.sipUri(), sdp,
                invite.headers());
        redirects.put(callId, new Redirects(outbound, new HashSet<>(Set.of(target.sipUri()))));
        in.setBody(outbound);
    }

    /** An outbound call's first INVITE and every target it went to, guarded by its own monitor. */
    private record Redirects(OutboundInvite invite, Set<String> tried) {}

    /**
     * A 3xx to the INVITE of an outbound call (RFC 3261 §8.1.3.4): the next Contact, in q order,
     * that was not tried yet (no loops) and that the caller's dial plan permits, as a redirect
     * must not reach what {@code call.invite} would refuse; at most {@value #MAX_REDIRECT_TARGETS}
     * targets beyond the first. The body becomes the new {@link OutboundInvite} (same call id,
     * same offer and headers; a new INVITE with its own Call-ID, since the redirected one made no
     * dialog) or, when no Contact is left, the {@code call.ended} deliveries: 403 when the dial
     * plan refused a Contact, else the 3xx itself. The browser only sees the final outcome.
     */
    void onRedirected(Exchange exchange) {
        Message in = exchange.getMessage();
        SipEvent.Redirected r = in.getBody(SipEvent.Redirected.class);
        Optional<CallRecord> call = store.call(r.callId())
                .filter(c -> c.kind() == CallKind.WEB_TO_SIP && c.state() != CallState.ENDED && !c.state().answered());
        if (call.isEmpty()) {
            exchange.setRouteStop(true);
            return;
        }
        Redirects state = redirects.get(r.callId());
        Optional<SessionRecord> caller = store.session(call.get().callerSession());
        String next = null;
        boolean denied = false;
        if (state != null && caller.isPresent()) {
            DialPlan plan = new DialPlan(caller.get().dialAllow(), caller.get().dialDeny());
            synchronized (state) {
                for (String contact : r.contacts()) {
                    if (state.tried().size() > MAX_REDIRECT_TARGETS) {
                        break;
                    }
                    if (!state.tried().add(contact)) {
                        continue;
                    }
                    if (plan.permits(contact)) {
                        next = contact;
                        break;
                    }
                    denied = true;
                }
            }
        }
        in.setHeader(Headers.CALL_ID, r.callId());
        if (next != null) {
            log.info("call {}: {} {} redirects to {}", r.callId(), r.status(), r.reason(), next);
            OutboundInvite first = state.invite();
            in.setBody(new OutboundInvite(first.callId(), first.fromUri(), first.fromDisplayName(), next, first.sdp(),
                    first.headers()));
            return;
        }
        int code = denied ? ErrorCode.FORBIDDEN.sipStatus() : r.status();
        String reason = denied ? "redirected to a destination the dial plan denies" : r.reason();
        By by = denied ? By.GATEWAY : By.REMOTE;
        reportToReferrer(r.callId(), code, reason);
        Optional<CallRecord> ended = finish(r.callId());
        if (ended.isEmpty()) {
            exchange.setRouteStop(true);
            return;
        }
        in.setBody(endedEvents(ended.get(), code, reason, participant -> by));
    }

    boolean isRedirectInvite(Exchange exchange) {
        return exchange.getMessage().getBody() instanceof OutboundInvite;
    }

    /**
     * After the INVITE following a redirect: a call the browser hung up in between is over, so
     * the new leg is abandoned at once; one whose INVITE could not be sent ends for the browser.
     */
    void afterRedirectInvite(Exchange exchange) {
        String callId = exchange.getMessage().getHeader(Headers.CALL_ID, String.class);
        exchange.getMessage().setBody(Delivery.none());
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (failure != null) {
            int code = failure instanceof GatewayException g ? g.code().sipStatus() : ErrorCode.INTERNAL_ERROR.sipStatus();
            finish(callId).ifPresent(call -> exchange.getMessage().setBody(
                    endedEvents(call, code, "redirect failed: " + failure.getMessage(), participant -> By.GATEWAY)));
            return;
        }
        if (store.call(callId).map(c -> c.state() == CallState.ENDED).orElse(true)) {
            sipSide.cancel(callId);
        }
    }

    /**
     * Web → provider: stores the call, passes the offer through the media anchor (the provider
     * stands where a SIP leg would), and places it with the claimed provider, which keeps the call
     * until it ends; unanswered after {@code sip.ringTimeout}, it ends with 480. The claim is
     * closed on every failure.
     */
    void createProviderCall(Exchange exchange) {
        Message in = exchange.getMessage();
        Providers.Claim claim = in.getHeader(PROVIDER_CLAIM, Providers.Claim.class);
        in.removeHeader(PROVIDER_CLAIM);
        String callId = newCallId();
        linkReferral(in, callId);
        try {
            SessionRecord caller = session(in);
            Params.Invite invite = in.getBody(Params.Invite.class);
            String to = invite.to().trim();
            store.createCall(CallRecord.createProvider(callId, caller.sessionId(), caller.sipUri(),
                    caller.displayName(), to, claim.name(), clock.instant(), cluster.nodeId()));
            in.setHeader(Headers.CALL_ID, callId);
            String sdp = fromClient(() -> media.offer(callId, Leg.WEB, invite.sdp()), callId);
            log.info("call {}: {} calls {} through provider {}", callId, caller.user(), to, claim.name());
            providerCalls.place(claim, new ProviderInvite(callId,
                    new Identity(caller.user(), caller.sipUri(), caller.displayName(), null), to, sdp,
                    invite.headers()), providerEvents);
            // A partner that never answers nor refuses must not hold the call forever.
            ringTimer.start(callId);
        } catch (RuntimeException e) {
            claim.close();
            finish(callId);
            throw e;
        }
    }

    /**
     * A {@code call.invite} whose INVITE could not be sent: forgets the call and lets the client
     * see why.
     */
    void abandonOutboundCall(Exchange exchange) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String callId = exchange.getMessage().getHeader(Headers.CALL_ID, String.class);
        if (callId != null) {
            finish(callId);
        }
        throw cause;
    }

    /** Web → web: rings every attached session of the callee with the caller's offer. */
    void createWebToWebCall(Exchange exchange) {
        Message in = exchange.getMessage();
        SessionRecord caller = session(in);
        Params.Invite invite = in.getBody(Params.Invite.class);
        String callee = in.getHeader(TARGET, Target.class).webUser();
        Set<String> ringing = attachedSessionsOf(callee);
        ringing.remove(caller.sessionId());
        if (ringing.isEmpty()) {
            throw new GatewayException(ErrorCode.TEMPORARILY_UNAVAILABLE, "to: " + callee + " is not logged in");
        }
        String callId = newCallId();
        linkReferral(in, callId);
        store.createCall(CallRecord.create(callId, CallKind.WEB_TO_WEB, caller.sessionId(), caller.sipUri(),
                caller.displayName(), callee, ringing, clock.instant(), cluster.nodeId()));
        in.setHeader(Headers.CALL_ID, callId);
        String sdp = fromClient(() -> direct.offer(callId, Leg.WEB, invite.sdp()), callId);
        store.updateCall(callId, c -> c.withState(CallState.RINGING));
        ringTimer.start(callId);
        in.setBody(Delivery.to(ringing, new Event.CallIncoming(callId, caller.sipUri(), caller.displayName(), sdp,
                invite.headers())));
    }

    void inviteResult(Exchange exchange) {
        String callId = exchange.getMessage().getHeader(Headers.CALL_ID, String.class);
        exchange.getMessage().setBody(new Results.Invite(callId));
    }

    /**
     * Links a call placed at a SIP peer's request to the call whose REFER asked for it, before
     * anything is sent: its first provisional may come back before {@code call.invite} is answered.
     */
    private void linkReferral(Message in, String callId) {
        String referring = in.getHeader(Headers.REFERRING_CALL, String.class);
        if (referring != null && pendingReferrals.remove(referring) != null) {
            referredCalls.put(callId, referring);
        }
    }

    // ---- REFER from the SIP peer (RFC 3515) ---------------------------------------------------

    /** The peer asks for a new call: the web session in the call hears {@code call.referred}. */
    void onReferred(Exchange exchange) {
        SipEvent.Referred r = exchange.getMessage().getBody(SipEvent.Referred.class);
        String session = webSessionOf(r.callId());
        if (session == null) {
            // No one to ask: the SIP side ends the subscription with 603 when its wait is over.
            exchange.setRouteStop(true);
            return;
        }
        pendingReferrals.put(r.callId(), r.target());
        exchange.getMessage().setBody(Delivery.to(session, new Event.CallReferred(r.callId(), r.target(), r.referredBy())));
    }

    /**
     * Tells the peer whose REFER led to {@code callId} how that call goes (RFC 3515 §2.4.5):
     * provisional statuses as they come, then the final one, after which nothing more is said.
     */
    private void reportToReferrer(String callId, int status, String reason) {
        String referring = status >= 200 ? referredCalls.remove(callId) : referredCalls.get(callId);
        if (referring == null) {
            return;
        }
        try {
            sipSide.notifyReferrer(referring, status, reason);
        } catch (GatewayException e) {
            log.info("call {}: the referrer of {} cannot be told {}: {}", referring, callId, status, e.getMessage());
        }
    }

    // ---- SIP → web: responses to our INVITE and requests in its dialog ------------------------

    void onProgress(Exchange exchange) {
        SipEvent.Progress p = exchange.getMessage().getBody(SipEvent.Progress.class);
        Optional<CallRecord> call = store.updateCall(p.callId(),
                c -> c.state() == CallState.CALLING ? c.withState(CallState.RINGING) : c);
        if (call.isEmpty() || call.get().state() != CallState.RINGING) {
            exchange.setRouteStop(true);
            return;
        }
        String sdp = p.sdp() == null ? null : media.answer(p.callId(), Leg.SIP, p.sdp());
        reportToReferrer(p.callId(), p.status(), p.reason());
        exchange.getMessage().setBody(Delivery.to(call.get().callerSession(),
                new Event.CallProgress(p.callId(), p.status(), p.reason(), sdp)));
    }

    void onAccepted(Exchange exchange) {
        SipEvent.Accepted a = exchange.getMessage().getBody(SipEvent.Accepted.class);
        Optional<CallRecord> call = store.updateCall(a.callId(),
                c -> c.state().answered() ? c : c.withState(CallState.CONFIRMED));
        if (call.isEmpty()) {
            exchange.setRouteStop(true);
            return;
        }
        String sdp;
        try {
            sdp = media.answer(a.callId(), Leg.SIP, a.sdp());
        } catch (GatewayException e) {
            endOnExchange(exchange, a.callId(), EndCause.byGateway(ErrorCode.NOT_ACCEPTABLE_HERE.sipStatus(),
                    "unusable answer from the SIP side: " + e.getMessage()));
            return;
        }
        redirects.remove(a.callId());
        reportToReferrer(a.callId(), 200, "OK");
        saveDialog(a.callId());
        exchange.getMessage().setBody(Delivery.to(call.get().callerSession(), new Event.CallAccepted(a.callId(), sdp)));
    }

    void onConfirmed(Exchange exchange) {
        String callId = exchange.getMessage().getBody(SipEvent.Confirmed.class).callId();
        Optional<CallRecord> call = store.updateCall(callId,
                c -> c.state() == CallState.ACCEPTED ? c.withState(CallState.CONFIRMED) : c);
        if (call.isEmpty() || call.get().answeredSession() == null) {
            exchange.setRouteStop(true);
            return;
        }
        saveDialog(callId);
        exchange.getMessage().setBody(Delivery.to(call.get().answeredSession(), new Event.CallConfirmed(callId)));
    }

    /** Keeps the SIP leg's confirmed dialog in the store, so that another node can take the call over. */
    private void saveDialog(String callId) {
        sipSide.dialog(callId).ifPresent(dialog -> store.updateCall(callId, c -> c.withDialog(dialog)));
    }

    /** The SIP leg is over (final error, timeout, BYE, CANCEL): the web side hears who ended it. */
    void onSipEnded(Exchange exchange) {
        SipEvent event = exchange.getMessage().getBody(SipEvent.class);
        Optional<CallRecord> before = store.call(event.callId());
        if (before.isEmpty()) {
            exchange.setRouteStop(true);
            return;
        }
        By by = By.REMOTE;
        int code;
        String reason;
        if (event instanceof SipEvent.Failed f) {
            code = f.status();
            reason = f.reason();
            if (before.get().kind() == CallKind.SIP_TO_WEB) {
                by = By.GATEWAY;
            }
        } else if (event instanceof SipEvent.RemoteCancel) {
            code = ErrorCode.REQUEST_TERMINATED.sipStatus();
            reason = "cancelled by the caller";
        } else {
            code = 200;
            reason = "hung up";
        }
        By heardAs = by;
        reportToReferrer(event.callId(), asFinalStatus(code), reason);
        Optional<CallRecord> ended = finish(event.callId());
        if (ended.isEmpty()) {
            exchange.setRouteStop(true);
            return;
        }
        exchange.getMessage().setBody(endedEvents(ended.get(), code, reason, participant -> heardAs));
    }

    // ---- SIP → web: a new INVITE ---------------------------------------------------------------

    /** 404 for a user nobody knows, 480 for a user with no attached session. */
    void locateCallee(Exchange exchange) {
        InboundInvite invite = exchange.getMessage().getBody(InboundInvite.class);
        if (draining.getAsBoolean()) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "shutting down");
        }
        String user = invite.requestUser();
        if (user == null || invite.requestHost() == null || !isOurHost(invite.requestHost())) {
            throw new GatewayException(ErrorCode.NOT_FOUND, "not a user of " + sip.domain());
        }
        if (!isKnownUser(user)) {
            throw new GatewayException(ErrorCode.NOT_FOUND, "no such user");
        }
        if (attachedSessionsOf(user).isEmpty()) {
            throw new GatewayException(ErrorCode.TEMPORARILY_UNAVAILABLE, "user is not logged in");
        }
        if (invite.sdp() == null) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "an INVITE without offer is not supported");
        }
    }

    /** Stores the call and offers it to every attached session of the user (forking). */
    void createInboundCall(Exchange exchange) {
        InboundInvite invite = exchange.getMessage().getBody(InboundInvite.class);
        Set<String> ringing = attachedSessionsOf(invite.requestUser());
        String callId = invite.callId();
        if (!store.createCall(CallRecord.create(callId, CallKind.SIP_TO_WEB, null, invite.fromUri(),
                invite.fromDisplayName(), invite.requestUser(), ringing, clock.instant(), cluster.nodeId()))) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "call id " + callId + " is taken");
        }
        String sdp;
        try {
            sdp = media.offer(callId, Leg.SIP, invite.sdp());
        } catch (GatewayException e) {
            finish(callId);
            throw e;
        }
        store.updateCall(callId, c -> c.withState(CallState.RINGING));
        ringTimer.start(callId);
        exchange.getMessage().setHeader(Headers.CALL_ID, callId);
        exchange.getMessage().setBody(Delivery.to(ringing, new Event.CallIncoming(callId, invite.fromUri(),
                invite.fromDisplayName(), sdp, invite.headers())));
    }

    // ---- call.answer / call.reject / call.hangup -----------------------------------------------

    /**
     * The first answer wins; the other ringing sessions hear "answered elsewhere". The race is
     * run before the answer SDP reaches the media anchor, so that only the winner's answer is
     * ever given to a relay. An SDP the anchor refuses puts the call back to ringing: the client
     * may answer again with a usable one, or reject, and the others may still answer.
     */
    void answer(Exchange exchange) {
        Message in = exchange.getMessage();
        String sessionId = in.getHeader(Headers.SESSION_ID, String.class);
        Params.Answer answer = in.getBody(Params.Answer.class);
        CallRecord before = store.call(answer.callId()).orElseThrow(() -> unknownCall(answer.callId()));
        checkMayAnswer(before, sessionId);
        CallRecord answered = store.updateCall(answer.callId(), c -> {
            checkMayAnswer(c, sessionId);
            return c.answeredBy(sessionId);
        }).orElseThrow(() -> unknownCall(answer.callId()));
        String sdp;
        try {
            sdp = anchorOf(answered).answer(answered.callId(), Leg.WEB, answer.sdp());
        } catch (GatewayException e) {
            store.updateCall(answered.callId(), c -> sessionId.equals(c.answeredSession())
                    && c.state() == CallState.ACCEPTED ? c.unanswered() : c);
            // The ring timer may have passed over the call while it looked answered.
            ringTimer.start(answered.callId());
            throw e.code() == ErrorCode.NOT_ACCEPTABLE_HERE
                    ? new GatewayException(ErrorCode.INVALID_PARAMS, e.getMessage(), e) : e;
        }
        List<Delivery> deliveries = new ArrayList<>();
        Set<String> others = new HashSet<>(before.offeredSessions());
        others.remove(sessionId);
        if (!others.isEmpty()) {
            deliveries.add(Delivery.to(others, new Event.CallEnded(answered.callId(), 200, "answered elsewhere",
                    By.GATEWAY)));
        }
        if (answered.kind() == CallKind.WEB_TO_WEB) {
            reportToReferrer(answered.callId(), 200, "OK");
            store.updateCall(answered.callId(), c -> c.withState(CallState.CONFIRMED));
            deliveries.add(Delivery.to(answered.callerSession(), new Event.CallAccepted(answered.callId(), sdp)));
            deliveries.add(Delivery.to(sessionId, new Event.CallConfirmed(answered.callId())));
        }
        in.setHeader(Headers.CALL_ID, answered.callId());
        in.setHeader(Headers.CALL_KIND, answered.kind());
        in.setHeader(Headers.SDP, sdp);
        in.setBody(deliveries);
    }

    private static void checkMayAnswer(CallRecord call, String sessionId) {
        if (call.kind().placedByWeb() || !call.offeredSessions().contains(sessionId)) {
            throw unknownCall(call.callId());
        }
        if (call.answeredSession() != null || call.state().compareTo(CallState.RINGING) > 0) {
            throw new GatewayException(ErrorCode.REQUEST_TERMINATED, "call " + call.callId() + " was answered elsewhere");
        }
    }

    boolean answerGoesToSip(Exchange exchange) {
        return exchange.getMessage().getHeader(Headers.CALL_KIND, CallKind.class) == CallKind.SIP_TO_WEB;
    }

    /**
     * One ringing session declines. The call ends only when no ringing session is left; the
     * SIP caller (or the web caller) then hears the code.
     */
    void reject(Exchange exchange) {
        Message in = exchange.getMessage();
        String sessionId = in.getHeader(Headers.SESSION_ID, String.class);
        Params.Reject reject = in.getBody(Params.Reject.class);
        if (reject.code() == 401 || reject.code() == 407) {
            // RFC 3261 §21.4.2 and §21.4.8: these demand a challenge header the client cannot give.
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "code: " + reject.code() + " needs an authentication challenge; use 403, 480, 486 or 603");
        }
        rejectBy(exchange, sessionId, reject.callId(), reject.code());
    }

    private void rejectBy(Exchange exchange, String sessionId, String callId, int code) {
        CallRecord after = store.updateCall(callId, c -> {
            if (c.kind().placedByWeb() || !c.offeredSessions().contains(sessionId)) {
                throw unknownCall(c.callId());
            }
            if (c.answeredSession() != null) {
                throw new GatewayException(ErrorCode.REQUEST_TERMINATED, "call " + c.callId() + " was answered already");
            }
            Set<String> left = new HashSet<>(c.offeredSessions());
            left.remove(sessionId);
            // One step per update: the store takes a record one version above the one it holds.
            return left.isEmpty() ? c.withState(CallState.ENDED) : c.withOffered(left);
        }).orElseThrow(() -> unknownCall(callId));
        String reason = reasonFor(code);
        List<Delivery> deliveries = new ArrayList<>();
        deliveries.add(Delivery.to(sessionId, new Event.CallEnded(callId, code, reason, By.LOCAL)));
        SipAction action = SipAction.NONE;
        if (after.state() == CallState.ENDED) {
            reportToReferrer(callId, code, reason);
            anchorOf(after).release(callId);
            if (after.kind() == CallKind.SIP_TO_WEB) {
                action = SipAction.REJECT;
            } else {
                deliveries.add(Delivery.to(after.callerSession(), new Event.CallEnded(callId, code, reason, By.REMOTE)));
            }
        }
        Message in = exchange.getMessage();
        in.setHeader(Headers.CALL_ID, callId);
        in.setHeader(Headers.SIP_ACTION, action);
        in.setHeader(Headers.SIP_STATUS, code);
        in.setHeader(Headers.SIP_REASON, reason);
        in.setBody(deliveries);
    }

    /**
     * {@code call.hangup}: a ringing callee declines (as {@code call.reject} with 486); anyone
     * else ends the call for everyone.
     */
    void hangup(Exchange exchange) {
        Message in = exchange.getMessage();
        String sessionId = in.getHeader(Headers.SESSION_ID, String.class);
        String callId = in.getBody(Params.Hangup.class).callId();
        CallRecord call = store.call(callId).filter(c -> c.involves(sessionId)).orElseThrow(() -> unknownCall(callId));
        if (!call.state().answered() && !sessionId.equals(call.callerSession())) {
            rejectBy(exchange, sessionId, callId, ErrorCode.BUSY_HERE.sipStatus());
            return;
        }
        EndCause cause = call.state().answered()
                ? EndCause.byClient(sessionId, 200, "hung up")
                : EndCause.byClient(sessionId, ErrorCode.REQUEST_TERMINATED.sipStatus(), "cancelled");
        endOnExchange(exchange, callId, cause);
    }

    // ---- call.update: a new offer within an established call, either way ------------------------

    /**
     * {@code call.update} from a participant: the new offer goes through the anchor to the other
     * side, as a re-INVITE on a SIP leg or as the other browser's {@code call.update} request in
     * a web-to-web call (that browser must be attached to this node). The body becomes the stage
     * of the answer. 404 for a call the session is not in, 400 when it is not established, 491
     * while another exchange of the call is in progress, 488 for a provider call, 503 for a call
     * driven by another node; a refused or unanswered offer leaves the session in force, in the
     * anchor too.
     */
    void update(Exchange exchange) {
        Message in = exchange.getMessage();
        String sessionId = in.getHeader(Headers.SESSION_ID, String.class);
        Params.Update update = in.getBody(Params.Update.class);
        String callId = update.callId();
        CallRecord call = store.call(callId)
                .filter(c -> sessionId.equals(c.callerSession()) || sessionId.equals(c.answeredSession()))
                .orElseThrow(() -> unknownCall(callId));
        if (call.state() != CallState.CONFIRMED) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "call " + callId + " is not established");
        }
        if (call.kind() == CallKind.PROVIDER) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "a provider call cannot be re-negotiated");
        }
        if (!cluster.isLocal(call.ownerNode())) {
            // The SIP leg and the media state live on the node that drives the call.
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "call " + callId + " is driven by another node; call.update reaches only calls driven where the client is attached");
        }
        beginUpdate(callId);
        MediaAnchor anchor = anchorOf(call);
        String offer;
        try {
            offer = anchor.offer(callId, Leg.WEB, update.sdp());
        } catch (GatewayException e) {
            updating.remove(callId);
            throw e.code() == ErrorCode.NOT_ACCEPTABLE_HERE ? new GatewayException(ErrorCode.INVALID_PARAMS, e.getMessage(), e) : e;
        }
        CompletionStage<String> answer;
        Leg answering;
        if (call.kind() == CallKind.WEB_TO_WEB) {
            String other = sessionId.equals(call.callerSession()) ? call.answeredSession() : call.callerSession();
            answer = askClient(other, callId, offer);
            answering = Leg.WEB;
        } else {
            answer = reinvite(callId, offer);
            answering = Leg.SIP;
        }
        CompletionStage<String> done = finishUpdate(anchor, callId, answer.thenApply(sdp -> anchor.answer(callId, answering, sdp)));
        if (answering == Leg.SIP) {
            // The re-INVITE moved the dialog on (CSeq, SDPs): a node that takes the call over
            // must start from there.
            done = done.thenApply(sdp -> {
                try {
                    saveDialog(callId);
                } catch (RuntimeException e) {
                    log.warn("call {}: dialog after the re-INVITE not saved: {}", callId, e.getMessage());
                }
                return sdp;
            });
        }
        in.setBody(done.thenApply(Results.Update::new));
    }

    /**
     * {@code sip:remote-offer}: the SIP peer's new offer goes through the anchor to the browser in
     * the call as the gateway's {@code call.update} request; the body becomes the stage of the
     * answer for the SIP side. The browser must be attached to this node (else 503, which the SIP
     * side answers 500 with Retry-After); 491 while another exchange of the call is in progress.
     */
    void onRemoteOffer(Exchange exchange) {
        SipEvent.RemoteOffer o = exchange.getMessage().getBody(SipEvent.RemoteOffer.class);
        String callId = o.callId();
        CallRecord call = store.call(callId).orElseThrow(() ->
                new GatewayException(ErrorCode.CALL_DOES_NOT_EXIST, "no call " + callId));
        if (call.state() != CallState.CONFIRMED) {
            throw new GatewayException(ErrorCode.REQUEST_PENDING, "call " + callId + " is not established yet");
        }
        String browser = call.kind() == CallKind.SIP_TO_WEB ? call.answeredSession() : call.callerSession();
        beginUpdate(callId);
        String offer;
        try {
            offer = media.offer(callId, Leg.SIP, o.sdp());
        } catch (GatewayException e) {
            updating.remove(callId);
            throw e;
        }
        exchange.getMessage().setBody(finishUpdate(media, callId,
                askClient(browser, callId, offer).thenApply(sdp -> media.answer(callId, Leg.WEB, sdp))));
    }

    private void beginUpdate(String callId) {
        if (!updating.add(callId)) {
            throw new GatewayException(ErrorCode.REQUEST_PENDING, "an update of call " + callId + " is in progress");
        }
    }

    /** Ends the exchange once its answer is in: a failed one leaves the anchor's exchange in force. */
    private CompletionStage<String> finishUpdate(MediaAnchor anchor, String callId, CompletionStage<String> answer) {
        return answer.whenComplete((sdp, failure) -> {
            if (failure != null) {
                anchor.withdraw(callId);
            }
            updating.remove(callId);
        });
    }

    private CompletionStage<String> reinvite(String callId, String offer) {
        try {
            return sipSide.reinvite(callId, offer);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The gateway's {@code call.update} request to {@code sessionId}; its answer SDP. */
    private CompletionStage<String> askClient(String sessionId, String callId, String offer) {
        if (sessionId == null) {
            return CompletableFuture.failedFuture(
                    new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "call " + callId + " has no browser to ask"));
        }
        return pusher.request(sessionId, Method.CALL_UPDATE.wireName(), new Params.Update(callId, offer),
                        Results.Update.class, updateTimeout)
                .thenApply(result -> {
                    if (result.sdp() == null || result.sdp().isBlank()) {
                        throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "the browser answered call.update without sdp");
                    }
                    return result.sdp();
                });
    }

    // ---- DTMF ----------------------------------------------------------------------------------

    /**
     * {@code call.dtmf} on an answered call. A call with a SIP leg gets the tones as {@code
     * sip.dtmf} says: RFC 4733 events played by the media anchor, or INFO (headers for {@code
     * sip:info}), see {@link #overMedia}. The other browser of a web-to-web call gets them as the
     * {@code call.dtmf} event (browsers send RFC 4733 themselves, RTCDTMFSender). 404 for a call
     * the session is not in, 400 before the answer, 488 for a provider call (a provider has no way
     * to take tones).
     */
    void dtmf(Exchange exchange) {
        Message in = exchange.getMessage();
        String sessionId = in.getHeader(Headers.SESSION_ID, String.class);
        Params.Dtmf dtmf = in.getBody(Params.Dtmf.class);
        CallRecord call = store.call(dtmf.callId()).filter(c -> c.involves(sessionId))
                .orElseThrow(() -> unknownCall(dtmf.callId()));
        if (!call.state().answered()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "call " + call.callId() + " is not established");
        }
        in.setHeader(Headers.CALL_ID, call.callId());
        switch (call.kind()) {
            case WEB_TO_SIP, SIP_TO_WEB -> {
                String byInfo = overMedia(call.callId(), dtmf.tones(), dtmf.durationMs());
                if (!byInfo.isEmpty()) {
                    in.setHeader(Headers.DTMF_TONES, byInfo);
                    in.setHeader(Headers.DTMF_DURATION, dtmf.durationMs());
                }
                in.setBody(Delivery.none());
            }
            case WEB_TO_WEB -> {
                Set<String> others = new HashSet<>(call.participants());
                others.remove(sessionId);
                in.setBody(Delivery.to(others, new Event.CallDtmf(call.callId(), dtmf.tones())));
            }
            case PROVIDER -> throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE,
                    "call " + call.callId() + " goes through a provider, which takes no DTMF");
        }
    }

    /**
     * Plays what {@code sip.dtmf} sends as RFC 4733 events towards the SIP leg through the media
     * anchor, and returns the tones left for INFO. {@code info}: all of them. {@code rfc4733}:
     * none; a call that cannot carry the events fails with the anchor's 488, an anchor that fails
     * to play them with 503. {@code auto}: the events when the call can carry them, otherwise
     * INFO, and INFO also for the tones after one the anchor failed to play, so that every tone
     * goes out once (an INFO may then overtake the last events, still playing in the media).
     */
    private String overMedia(String callId, String tones, int durationMs) {
        return switch (sip.dtmf()) {
            case INFO -> tones;
            case RFC4733 -> {
                int played = media.playDtmf(callId, Leg.SIP, tones, durationMs);
                if (played < tones.length()) {
                    throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "call " + callId + ": the media anchor"
                            + " played " + played + " of the tones " + tones + " and failed on the next");
                }
                yield "";
            }
            case AUTO -> {
                try {
                    yield tones.substring(media.playDtmf(callId, Leg.SIP, tones, durationMs));
                } catch (GatewayException e) {
                    log.debug("call {}: DTMF as INFO: {}", callId, e.getMessage());
                    yield tones;
                }
            }
        };
    }

    /** Tones from the SIP leg go to the web session in the call, once it is answered. */
    void onDtmf(Exchange exchange) {
        SipEvent.Dtmf dtmf = exchange.getMessage().getBody(SipEvent.Dtmf.class);
        String session = webSessionOf(dtmf.callId());
        if (session == null) {
            exchange.setRouteStop(true);
            return;
        }
        exchange.getMessage().setBody(Delivery.to(session, new Event.CallDtmf(dtmf.callId(), dtmf.tones())));
    }

    /** The web session of an answered call with a SIP leg, or null when there is none. */
    private String webSessionOf(String callId) {
        return store.call(callId).filter(c -> c.state().answered())
                .map(c -> c.kind() == CallKind.SIP_TO_WEB ? c.answeredSession() : c.callerSession())
                .orElse(null);
    }

    // ---- call.transfer ---------------------------------------------------------------------------

    /**
     * {@code call.transfer}: a blind transfer of the SIP peer (RFC 5589 §6), sent as REFER by
     * {@code sip:refer}. {@code to} is read like the {@code to} of {@code call.invite} and passes
     * the same dial plan: a transfer may not reach what its user may not call. A web user is
     * referred to as {@code sip:<user>@<sip.host>:<sip port>}, an address the phone can reach.
     * 404 for a call the session is not in or an unknown {@code to}, 400 before the answer, 488
     * for a call without a SIP leg (web-to-web, provider), 403 for a destination the dial plan denies.
     */
    void transfer(Exchange exchange) {
        Message in = exchange.getMessage();
        String sessionId = in.getHeader(Headers.SESSION_ID, String.class);
        Params.Transfer transfer = in.getBody(Params.Transfer.class);
        CallRecord call = store.call(transfer.callId()).filter(c -> c.involves(sessionId))
                .orElseThrow(() -> unknownCall(transfer.callId()));
        if (!call.state().answered()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "call " + call.callId() + " is not established");
        }
        if (call.kind() != CallKind.WEB_TO_SIP && call.kind() != CallKind.SIP_TO_WEB) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE,
                    "call " + call.callId() + " has no SIP leg to transfer");
        }
        SessionRecord user = session(in);
        Target target = resolve(transfer.to().trim());
        String destination = target.isWebUser() ? target.webUser() : target.sipUri();
        if (!new DialPlan(user.dialAllow(), user.dialDeny()).permits(destination)) {
            throw new GatewayException(ErrorCode.FORBIDDEN, "to: '" + destination + "' is not a destination "
                    + user.user() + " may call");
        }
        String referTo = target.isWebUser()
                ? "sip:" + target.webUser() + "@" + sip.host() + ":" + sipSide.port() : target.sipUri();
        in.setHeader(Headers.CALL_ID, call.callId());
        in.setHeader(Headers.TRANSFER_TARGET, referTo);
        in.setHeader(Headers.REFERRED_BY, user.sipUri());
    }

    /**
     * Transfer progress from the SIP side becomes {@code call.transferred}. A 2xx outcome means
     * the peer now talks to the target: the gateway leaves the call with BYE (RFC 5589 §6.1) and
     * the browser hears {@code call.ended} with reason "transferred" (headers for
     * {@code direct:end-call}); any other outcome leaves the call as it was.
     */
    void onTransfer(Exchange exchange) {
        Message in = exchange.getMessage();
        SipEvent.Transfer t = in.getBody(SipEvent.Transfer.class);
        String session = webSessionOf(t.callId());
        if (session == null) {
            exchange.setRouteStop(true);
            return;
        }
        if (t.outcome() && t.status() >= 200 && t.status() < 300) {
            in.setHeader(Headers.CALL_ID, t.callId());
            in.setHeader(Headers.END_CAUSE, EndCause.byClient(session, 200, "transferred"));
        }
        in.setBody(Delivery.to(session, new Event.CallTransferred(t.callId(), t.target(), t.status())));
    }

    // ---- ending a call, whoever asks ------------------------------------------------------------

    /**
     * {@code direct:end-call}: header {@link Headers#CALL_ID} and {@link Headers#END_CAUSE}. Ends
     * the call in the store, and leaves the events and the SIP action to perform.
     */
    void endCall(Exchange exchange) {
        Message in = exchange.getMessage();
        String callId = in.getHeader(Headers.CALL_ID, String.class);
        EndCause cause = in.getHeader(Headers.END_CAUSE, EndCause.class);
        Optional<String> owner = store.call(callId).map(CallRecord::ownerNode)
                .filter(node -> !cluster.isLocal(node) && cluster.isAlive(node));
        if (owner.isPresent()) {
            // The node that drives the call ends it: it holds the SIP leg and the media state.
            cluster.endCall(owner.get(), callId, cause).whenComplete((ok, failure) -> {
                if (failure != null) {
                    log.warn("call {}: node {} did not end it: {}", callId, owner.get(), failure.getMessage());
                }
            });
            in.setHeader(Headers.SIP_ACTION, SipAction.NONE);
            in.setBody(Delivery.none());
            return;
        }
        String leaving = cause.endedBySession();
        boolean onlyRinging = leaving != null && store.call(callId)
                .map(c -> !c.state().answered() && !leaving.equals(c.callerSession()) && c.offeredSessions().contains(leaving))
                .orElse(false);
        if (onlyRinging) {
            // A ringing callee that goes away declines for itself; the others keep ringing.
            rejectBy(exchange, leaving, callId, asFinalStatus(cause.code()));
            return;
        }
        endOnExchange(exchange, callId, cause);
    }

    private void endOnExchange(Exchange exchange, String callId, EndCause cause) {
        Message in = exchange.getMessage();
        in.setHeader(Headers.CALL_ID, callId);
        reportToReferrer(callId, asFinalStatus(cause.code()), cause.reason());
        Optional<CallRecord> ended = finish(callId);
        if (ended.isEmpty()) {
            in.setHeader(Headers.SIP_ACTION, SipAction.NONE);
            in.setBody(Delivery.none());
            return;
        }
        CallRecord call = ended.get();
        SipAction action = switch (call.kind()) {
            case WEB_TO_SIP -> call.state().answered() ? SipAction.BYE : SipAction.CANCEL;
            case SIP_TO_WEB -> call.state().answered() ? SipAction.BYE : SipAction.REJECT;
            case WEB_TO_WEB, PROVIDER -> SipAction.NONE;
        };
        in.setHeader(Headers.SIP_ACTION, action);
        in.setHeader(Headers.SIP_STATUS, asFinalStatus(cause.code()));
        in.setHeader(Headers.SIP_REASON, cause.reason());
        in.setBody(endedEvents(call, cause.code(), cause.reason(), cause::heardBy));
    }

    /**
     * Ends the call in the store and frees its media; a provider call's provider hears the hangup
     * unless it reported the end itself. Returns the call as it was before, or empty when it had
     * ended already (whoever ends a call first does the rest).
     */
    private Optional<CallRecord> finish(String callId) {
        redirects.remove(callId);
        pendingReferrals.remove(callId);
        referredCalls.remove(callId);
        CallRecord[] before = new CallRecord[1];
        if (store.updateCall(callId, c -> {
            before[0] = c;
            return c.withState(CallState.ENDED);
        }).isEmpty()) {
            return Optional.empty();
        }
        anchorOf(before[0]).release(callId);
        if (before[0].kind() == CallKind.PROVIDER) {
            providerCalls.hangUp(callId);
        }
        return Optional.of(before[0]);
    }

    private MediaAnchor anchorOf(CallRecord call) {
        return call.kind() == CallKind.WEB_TO_WEB ? direct : media;
    }

    /** A {@code call.ended} for each participant of {@code call}, told by whom as {@code heardBy} says. */
    private static List<Delivery> endedEvents(CallRecord call, int code, String reason, Function<String, By> heardBy) {
        List<Delivery> deliveries = new ArrayList<>();
        for (String participant : call.participants()) {
            deliveries.add(Delivery.to(participant,
                    new Event.CallEnded(call.callId(), code, reason, heardBy.apply(participant))));
        }
        return deliveries;
    }

    /** A status usable as a SIP final response refusing a call: the code itself, or 480. */
    private static int asFinalStatus(int code) {
        return code >= 400 && code <= 699 ? code : ErrorCode.TEMPORARILY_UNAVAILABLE.sipStatus();
    }

    /** The ring timer fired: an inbound or web-to-web call nobody answered ends with 480. */
    void ringTimeout(Exchange exchange) {
        String callId = exchange.getMessage().getHeader(Headers.CALL_ID, String.class);
        if (store.call(callId).map(c -> c.state().answered()).orElse(true)) {
            exchange.getMessage().setHeader(Headers.SIP_ACTION, SipAction.NONE);
            exchange.getMessage().setBody(Delivery.none());
            return;
        }
        endOnExchange(exchange, callId, EndCause.byGateway(ErrorCode.TEMPORARILY_UNAVAILABLE.sipStatus(), "no answer"));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private SessionRecord session(Message in) {
        String sessionId = in.getHeader(Headers.SESSION_ID, String.class);
        return store.session(sessionId)
                .orElseThrow(() -> new GatewayException(ErrorCode.UNAUTHORIZED, "the session has ended"));
    }

    /** The user's sessions with a socket on a living node, this one or another. */
    private Set<String> attachedSessionsOf(String user) {
        Set<String> out = new HashSet<>();
        for (SessionRecord s : store.sessionsOfUser(user)) {
            if (s.attached() && cluster.isAlive(s.nodeId())) {
                out.add(s.sessionId());
            }
        }
        return out;
    }

    /**
     * Runs a media step on an SDP the client sent: an SDP the anchor refuses is the client's
     * mistake, so it is reported as invalid params, and the call it was for is forgotten.
     */
    private String fromClient(Supplier<String> step, String callId) {
        try {
            return step.get();
        } catch (GatewayException e) {
            finish(callId);
            if (e.code() == ErrorCode.NOT_ACCEPTABLE_HERE) {
                throw new GatewayException(ErrorCode.INVALID_PARAMS, e.getMessage(), e);
            }
            throw e;
        }
    }

    private static GatewayException unknownCall(String callId) {
        return new GatewayException(ErrorCode.NOT_FOUND, "no call " + callId + " for this session");
    }

    private static String newCallId() {
        return UUID.randomUUID().toString();
    }

    private static String reasonFor(int code) {
        ErrorCode known = ErrorCode.forSipStatus(code);
        return known.rpcCode() == code && known.sipStatus() == code ? known.reason() : "rejected";
    }
}
