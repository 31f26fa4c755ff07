package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.session.CallKind;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.SessionRecord;
import dev.passerelle.gateway.session.SessionStore;
import dev.passerelle.gateway.sip.SipService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the living nodes do about a node that stopped beating (killed, frozen, cut off). Every node
 * runs {@link #sweep()} once per heartbeat; it does nothing while every node beats, and stops
 * reading the calls for a dead node once nothing is left to do for it.
 *
 * <ul>
 *   <li>An answered call the dead node drove is <b>adopted</b> by a node that holds the socket of
 *   one of its participants (the browser reconnected and resumed there): the call record's owner
 *   becomes that node, and its SIP leg is re-targeted with a re-INVITE built from the dialog kept
 *   in the store, carrying the new node's Contact (see {@link SipService#adopt}), so that the
 *   phone's later BYE reaches a living node.</li>
 *   <li>An answered call that nobody adopts within {@code session.resumeWindow} of the death is
 *   <b>ended</b> by one living node: a BYE built from the kept dialog, {@code call.ended} to its
 *   sessions.</li>
 *   <li>A call that was not answered yet dies with its node (its INVITE transaction lived there):
 *   its sessions hear {@code call.ended} 503 at once.</li>
 *   <li>A session whose socket was on the dead node is detached as of the death, and ends like any
 *   detached session when the window closes unless it resumed; the node that drives one of its
 *   calls runs that timer, since the dead node's timers died with it.</li>
 * </ul>
 * Two nodes may sweep the same call at once: each claim is a compare-and-set of the call's owner
 * in the store, so exactly one of them acts.
 */
final class Takeover {
    private static final Logger log = LoggerFactory.getLogger(Takeover.class);

    /** A node dead for this long is forgotten: no session or call can still refer to it. */
    private static final Duration FORGET_AFTER = Duration.ofHours(24);

    private final SessionStore store;
    private final Cluster cluster;
    private final EventOutbox outbox;
    private final SipService sip;
    private final Duration window;
    private final Clock clock;
    private final BiConsumer<String, EndCause> endCall;
    private final SessionSteps.ExpiryTimer expiryTimer;
    private final Executor work;
    /** Dead nodes this node has nothing left to do for. */
    private final Set<String> settled = ConcurrentHashMap.newKeySet();
    /** Sessions of dead nodes whose expiry this node has scheduled, and for which detach instant. */
    private final Map<String, Instant> expiring = new ConcurrentHashMap<>();

    /**
     * @param endCall ends a call this node now drives, as {@code direct:end-call} does
     * @param expiryTimer schedules the end of a detached session, as after a dropped socket
     * @param work runs what follows an adoption's outcome, off the SIP stack's thread
     */
    Takeover(SessionStore store, Cluster cluster, EventOutbox outbox, SipService sip, Duration window, Clock clock,
            BiConsumer<String, EndCause> endCall, SessionSteps.ExpiryTimer expiryTimer, Executor work) {
        this.work = work;
        this.store = store;
        this.cluster = cluster;
        this.outbox = outbox;
        this.sip = sip;
        this.window = window;
        this.clock = clock;
        this.endCall = endCall;
        this.expiryTimer = expiryTimer;
    }

    void sweep() {
        Instant now = clock.instant();
        for (String node : Set.copyOf(settled)) {
            Optional<Instant> since = cluster.deadSince(node);
            if (since.isEmpty()) {
                // Back: a node restarted under the same id. Its next death starts afresh.
                settled.remove(node);
            } else if (since.get().plus(FORGET_AFTER).isBefore(now)) {
                cluster.forget(node);
                settled.remove(node);
            }
        }
        Set<String> dead = new HashSet<>();
        for (String node : cluster.lastBeats().keySet()) {
            if (!settled.contains(node) && cluster.deadSince(node).isPresent()) {
                dead.add(node);
            }
        }
        if (dead.isEmpty()) {
            return;
        }
        Set<String> referenced = new HashSet<>();
        for (CallRecord call : store.calls()) {
            if (dead.contains(call.ownerNode())) {
                referenced.add(call.ownerNode());
                takeOver(call);
            } else if (cluster.isLocal(call.ownerNode())) {
                expireSessionsOnDeadNodes(call, dead);
            }
        }
        expiring.values().removeIf(detachedAt -> detachedAt.plus(window.multipliedBy(2)).isBefore(now));
        for (String node : dead) {
            Instant since = cluster.deadSince(node).orElse(now);
            if (!referenced.contains(node) && since.plus(window).isBefore(now)) {
                // No call is driven by it and every window it opened has closed: nothing is left
                // to do for it, so later sweeps skip it instead of reading every call again.
                settled.add(node);
            }
        }
    }

    private void takeOver(CallRecord call) {
        String deadOwner = call.ownerNode();
        Instant deadSince = cluster.deadSince(deadOwner).orElseThrow();
        boolean heldHere = call.participants().stream().anyMatch(outbox::holds);
        boolean windowClosed = !deadSince.plus(window).isAfter(clock.instant());
        if (call.state().answered() && !heldHere && !windowClosed) {
            return;
        }
        Optional<CallRecord> claimed = claim(call.callId(), deadOwner);
        if (claimed.isEmpty()) {
            return;
        }
        CallRecord mine = claimed.get();
        if (!mine.state().answered()) {
            log.info("call {}: node {} died before it was answered; ending it", mine.callId(), deadOwner);
            endCall.accept(mine.callId(), EndCause.byGateway(ErrorCode.SERVICE_UNAVAILABLE.sipStatus(),
                    "the node handling the call failed"));
        } else if (heldHere) {
            adopt(mine, deadOwner);
        } else {
            log.info("call {}: nobody took it over within {} s of node {}'s death; ending it", mine.callId(),
                    window.toSeconds(), deadOwner);
            if (mine.sipDialog() != null) {
                sip.end(mine.callId(), mine.sipDialog());
            }
            endCall.accept(mine.callId(), EndCause.byGateway(ErrorCode.TEMPORARILY_UNAVAILABLE.sipStatus(),
                    "the node handling the call failed"));
        }
    }

    private void adopt(CallRecord call, String deadOwner) {
        if (call.kind() == CallKind.WEB_TO_WEB) {
            log.info("call {}: taken over from node {}", call.callId(), deadOwner);
            return;
        }
        if (call.kind() == CallKind.PROVIDER) {
            // The provider's call lived in the dead node's memory: nobody else can reach it.
            endCall.accept(call.callId(), EndCause.byGateway(ErrorCode.SERVICE_UNAVAILABLE.sipStatus(),
                    "the node holding the provider call failed"));
            return;
        }
        if (call.sipDialog() == null) {
            endCall.accept(call.callId(), EndCause.byGateway(ErrorCode.SERVICE_UNAVAILABLE.sipStatus(),
                    "the node handling the call failed before its SIP dialog was kept"));
            return;
        }
        // The outcome arrives on a SIP stack thread; the store writes that follow run on the work executor.
        sip.adopt(call.callId(), call.sipDialog()).whenCompleteAsync((ok, failure) -> {
            if (failure == null) {
                log.info("call {}: taken over from node {}; the phone now targets this node", call.callId(), deadOwner);
                // The re-INVITE moved the CSeq and maybe the phone's target: a later takeover needs them.
                sip.dialog(call.callId()).ifPresent(d -> store.updateCall(call.callId(), c -> c.withDialog(d)));
                return;
            }
            log.warn("call {}: taking the SIP leg over from node {} failed: {}", call.callId(), deadOwner,
                    failure.getMessage());
            endCall.accept(call.callId(), EndCause.byGateway(ErrorCode.SERVICE_UNAVAILABLE.sipStatus(),
                    "the call could not be taken over: " + failure.getMessage()));
        }, work);
    }

    /** Makes this node the call's owner, if the dead node still is; empty when another node was first. */
    private Optional<CallRecord> claim(String callId, String deadOwner) {
        String me = cluster.nodeId();
        return store.updateCall(callId, c -> c.ownerNode().equals(deadOwner) ? c.adoptedBy(me) : c)
                .filter(c -> c.ownerNode().equals(me));
    }

    /**
     * The participants of a call this node drives whose sockets were on a dead node: detached as of
     * the death, and ended when the window closes (unless they resume before).
     */
    private void expireSessionsOnDeadNodes(CallRecord call, Set<String> dead) {
        for (String sessionId : call.participants()) {
            Optional<SessionRecord> session = store.session(sessionId);
            if (session.isEmpty() || !dead.contains(session.get().nodeId())) {
                continue;
            }
            String deadNode = session.get().nodeId();
            Instant deadSince = cluster.deadSince(deadNode).orElseThrow();
            Optional<SessionRecord> now = store.updateSession(sessionId,
                    s -> s.attached() && s.nodeId().equals(deadNode) ? s.detached(deadSince) : s);
            if (now.isEmpty() || now.get().attached() || !now.get().nodeId().equals(deadNode)) {
                continue;
            }
            Instant detachedAt = now.get().detachedAt();
            if (!detachedAt.equals(expiring.put(sessionId, detachedAt))) {
                Duration left = Duration.between(clock.instant(), detachedAt.plus(window));
                expiryTimer.start(sessionId, detachedAt, left.isNegative() ? Duration.ZERO : left);
            }
        }
    }
}
