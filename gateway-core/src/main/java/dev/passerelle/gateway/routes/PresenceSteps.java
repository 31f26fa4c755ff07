package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.PresenceRecord;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.signaling.Event;
import dev.passerelle.gateway.signaling.Params;
import dev.passerelle.gateway.signaling.Results;
import dev.passerelle.gateway.sip.PresenceStatus;
import dev.passerelle.gateway.sip.SipService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence: what web users publish, kept in the store so that every node serves it, and the
 * subscriptions of sessions to web users (watchers in the store, fanned out through the event
 * logs) and to SIP presentities (a SIP subscription on this node per session and target).
 *
 * <p>A web user's presence is the last {@code presence.publish} of any of their sessions,
 * {@code available} while they have a session and published nothing, {@code offline} once their
 * last session has ended. Subscriptions belong to the subscribing session: they end with
 * {@code presence.unsubscribe}, logout or expiry. {@code user} in {@code presence.update} is the
 * {@code to} the session subscribed with, as written.
 */
final class PresenceSteps {

    private static final Logger log = LoggerFactory.getLogger(PresenceSteps.class);

    /** Subscriptions one session may hold; beyond, {@code presence.subscribe} fails 403. */
    static final int MAX_SUBSCRIPTIONS = 100;
    private static final PresenceRecord DEFAULT = new PresenceRecord("available", null);
    private static final PresenceRecord OFFLINE = new PresenceRecord("offline", null);

    private final SessionStore store;
    private final SipService sip;
    private final CallSteps calls;
    private final EventOutbox outbox;
    private final Cluster cluster;
    /** IMS mode ({@code sip.registrar}): publishes also go to the SIP network as PUBLISH. */
    private final boolean publishToSip;
    /** This node's subscriptions, by session and then by {@code to} as written. */
    private final Map<String, Map<String, Watch>> bySession = new ConcurrentHashMap<>();
    /** This node's SIP subscriptions by their id. */
    private final Map<String, Watch> bySubscription = new ConcurrentHashMap<>();

    /** One subscription of a session: to a web user ({@code webUser}) or over SIP ({@code subscriptionId}). */
    private record Watch(String sessionId, String to, String webUser, String subscriptionId) {
        /** The member of the web user's watcher set: the session id first, so a reader can check it. */
        String watcher() {
            return sessionId + " " + to;
        }
    }

    PresenceSteps(SessionStore store, SipService sip, CallSteps calls, EventOutbox outbox, Cluster cluster,
            boolean publishToSip) {
        this.store = store;
        this.sip = sip;
        this.calls = calls;
        this.outbox = outbox;
        this.cluster = cluster;
        this.publishToSip = publishToSip;
    }

    /**
     * {@code presence.publish}: kept as the user's presence, and {@code presence.update} to every
     * session watching the user, on any node. In IMS mode also a PUBLISH for the user's AOR, whose
     * outcome is then the result (the web users' watchers have the new state either way).
     */
    void publish(Exchange exchange) {
        SessionRecord me = session(exchange);
        Params.PresencePublish p = exchange.getMessage().getBody(Params.PresencePublish.class);
        String note = p.note() == null || p.note().isBlank() ? null : p.note().strip();
        PresenceRecord published = new PresenceRecord(p.status(), note);
        store.setPresence(me.user(), published);
        fanOut(me.user(), published);
        if (!publishToSip) {
            exchange.getMessage().setBody(Results.Empty.INSTANCE);
            return;
        }
        PresenceStatus status = PresenceStatus.fromWire(p.status()).orElseThrow();
        exchange.getMessage().setBody(sip.publish(me.sipUri(), status, note).thenApply(ok -> Results.Empty.INSTANCE));
    }

    /**
     * {@code presence.subscribe}: {@code to} resolved like {@code call.invite}'s (404, and the dial
     * plan's 403). A web user: the session joins their watchers and gets the current state at
     * once. Anything else: a SIP subscription, whose outcome is the result (the SIP status of its
     * failure as the error). A second subscription to the same {@code to} changes nothing.
     */
    void subscribe(Exchange exchange) {
        SessionRecord me = session(exchange);
        String to = exchange.getMessage().getBody(Params.PresenceTarget.class).to().trim();
        CallSteps.Target target = calls.presentity(me, to);
        Map<String, Watch> mine = bySession.computeIfAbsent(me.sessionId(), k -> new ConcurrentHashMap<>());
        Watch watch;
        synchronized (mine) {
            if (mine.containsKey(to)) {
                exchange.getMessage().setBody(Results.Empty.INSTANCE);
                return;
            }
            if (mine.size() >= MAX_SUBSCRIPTIONS) {
                throw new GatewayException(ErrorCode.FORBIDDEN,
                        "at most " + MAX_SUBSCRIPTIONS + " presence subscriptions per session");
            }
            watch = target.isWebUser() ? new Watch(me.sessionId(), to, target.webUser(), null)
                    : new Watch(me.sessionId(), to, null, "pres-" + UUID.randomUUID());
            mine.put(to, watch);
        }
        if (watch.webUser() != null) {
            store.watch(watch.webUser(), watch.watcher());
            // RFC 6665 §4.2.2 in spirit: the current state follows the subscription at once.
            outbox.deliver(Delivery.to(me.sessionId(), update(to, current(watch.webUser()))));
            exchange.getMessage().setBody(Results.Empty.INSTANCE);
            return;
        }
        bySubscription.put(watch.subscriptionId(), watch);
        CompletionStage<Void> subscribed;
        try {
            subscribed = sip.subscribe(watch.subscriptionId(), me.sipUri(), target.sipUri());
        } catch (RuntimeException e) {
            forget(watch);
            throw e;
        }
        exchange.getMessage().setBody(subscribed.handle((ok, failure) -> {
            if (failure != null) {
                forget(watch);
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            }
            return Results.Empty.INSTANCE;
        }));
    }

    /** {@code presence.unsubscribe}: ends the session's subscription to {@code to}; {@code {}} when it had none. */
    void unsubscribe(Exchange exchange) {
        String sessionId = exchange.getMessage().getHeader(Headers.SESSION_ID, String.class);
        String to = exchange.getMessage().getBody(Params.PresenceTarget.class).to().trim();
        Map<String, Watch> mine = bySession.get(sessionId);
        Watch watch = mine == null ? null : mine.get(to);
        if (watch != null) {
            end(watch);
        }
        exchange.getMessage().setBody(Results.Empty.INSTANCE);
    }

    /**
     * {@code sip:presence}: the body becomes the {@code presence.update} for the subscribing
     * session; nothing for a subscription that ended here, or whose session is gone (which ends
     * the SIP subscription).
     */
    void onSipPresence(Exchange exchange) {
        SipComponent.PresenceChanged changed = exchange.getMessage().getBody(SipComponent.PresenceChanged.class);
        Watch watch = bySubscription.get(changed.subscriptionId());
        if (watch == null) {
            exchange.getMessage().setBody(Delivery.none());
            return;
        }
        if (store.session(watch.sessionId()).isEmpty()) {
            end(watch);
            exchange.getMessage().setBody(Delivery.none());
            return;
        }
        if (changed.terminated()) {
            // The SIP side gave up: a new presence.subscribe to the same target starts afresh.
            forget(watch);
        }
        exchange.getMessage().setBody(Delivery.to(watch.sessionId(),
                new Event.PresenceUpdate(watch.to(), changed.status().wire(), changed.note())));
    }

    /**
     * After a login: a user's first session makes them reachable, and their watchers hear it.
     * Leaves the body (the login's result) alone.
     */
    void loggedIn(Exchange exchange) {
        Results.Login login = exchange.getMessage().getBody(Results.Login.class);
        String user = login.identity().user();
        if (store.sessionsOfUser(user).size() == 1) {
            fanOut(user, current(user));
        }
    }

    /**
     * After a session ended (logout, expiry): its subscriptions end (SIP ones with
     * {@code Expires: 0}), and when it was its user's last session the user is {@code offline}
     * to their watchers. Leaves the body alone.
     */
    void sessionEnded(Exchange exchange) {
        SessionRecord ended = exchange.getProperty(RegistrationSteps.ENDING_SESSION, SessionRecord.class);
        String sessionId = exchange.getMessage().getHeader(Headers.SESSION_ID, String.class);
        Map<String, Watch> mine = sessionId == null ? null : bySession.get(sessionId);
        if (mine != null) {
            List<Watch> all;
            synchronized (mine) {
                all = new ArrayList<>(mine.values());
            }
            all.forEach(this::end);
            bySession.remove(sessionId, mine);
        }
        if (ended == null) {
            return;
        }
        List<SessionRecord> left = store.sessionsOfUser(ended.user());
        if (publishToSip && left.stream().noneMatch(s -> cluster.isLocal(s.nodeId()))) {
            // RFC 3903 §4.5: this node's publication goes with the user's last session here.
            sip.unpublish(ended.sipUri()).whenComplete((ok, failure) -> {
                if (failure != null) {
                    log.info("removing the publication of {} failed: {}", ended.sipUri(), failure.getMessage());
                }
            });
        }
        if (left.isEmpty()) {
            store.clearPresence(ended.user());
            fanOut(ended.user(), OFFLINE);
        }
    }

    /** Ends one subscription of this node. */
    private void end(Watch watch) {
        forget(watch);
        if (watch.webUser() != null) {
            store.unwatch(watch.webUser(), watch.watcher());
        } else {
            sip.unsubscribe(watch.subscriptionId());
        }
    }

    private void forget(Watch watch) {
        Map<String, Watch> mine = bySession.get(watch.sessionId());
        if (mine != null) {
            synchronized (mine) {
                mine.remove(watch.to(), watch);
            }
        }
        if (watch.subscriptionId() != null) {
            bySubscription.remove(watch.subscriptionId(), watch);
        }
    }

    /** What a web user's watchers see now: the last publish, {@code available} by default, {@code offline} without a session. */
    private PresenceRecord current(String user) {
        if (store.sessionsOfUser(user).isEmpty()) {
            return OFFLINE;
        }
        return store.presence(user).orElse(DEFAULT);
    }

    /**
     * {@code presence.update} to every watcher of {@code user}, each under the name it subscribed
     * with; a watcher whose session is gone (it ended on a node that did not hold its
     * subscriptions) is removed instead.
     */
    private void fanOut(String user, PresenceRecord presence) {
        List<Delivery> out = new ArrayList<>();
        for (String watcher : store.watchers(user)) {
            int space = watcher.indexOf(' ');
            if (space <= 0) {
                log.warn("malformed presence watcher '{}' of {} removed", watcher, user);
                store.unwatch(user, watcher);
                continue;
            }
            String sessionId = watcher.substring(0, space);
            if (store.session(sessionId).isEmpty()) {
                store.unwatch(user, watcher);
                continue;
            }
            out.add(Delivery.to(sessionId, update(watcher.substring(space + 1), presence)));
        }
        out.forEach(outbox::deliver);
    }

    private static Event.PresenceUpdate update(String to, PresenceRecord presence) {
        return new Event.PresenceUpdate(to, presence.status(), presence.note());
    }

    private SessionRecord session(Exchange exchange) {
        String sessionId = exchange.getMessage().getHeader(Headers.SESSION_ID, String.class);
        return store.session(sessionId)
                .orElseThrow(() -> new GatewayException(ErrorCode.UNAUTHORIZED, "the session has ended"));
    }
}
