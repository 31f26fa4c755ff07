package dev.passerelle.gateway.session;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One call as the store keeps it. Immutable: every change is a new record with {@link #version()}
 * one higher, so that a store can refuse a stale write.
 *
 * @param callerSession the web session that placed the call (WEB_TO_SIP, WEB_TO_WEB), else null
 * @param caller who calls, as shown to the callee: a SIP URI or a web user's AOR
 * @param callee who is called: the SIP target, or the web user's name
 * @param offeredSessions web sessions the call is ringing on (SIP_TO_WEB, WEB_TO_WEB)
 * @param answeredSession the web session that answered, or null
 * @param ownerNode the node that drives the call: it holds the SIP leg and the media anchor's
 *     state, and every request about the call is carried out there; another node takes it over
 *     ({@link #adoptedBy}) only once the owner stopped beating
 * @param sipDialog the SIP leg's confirmed dialog, kept so that another node can take the leg over
 *     or end it; null without a SIP leg or before it is confirmed
 * @param provider the name of the provider that took a {@link CallKind#PROVIDER} call, else null
 * @param quality the latest quality report of each web user taking part, by user name; empty
 *     before any report (and in records written before reports were kept)
 */
public record CallRecord(
        String callId,
        CallKind kind,
        CallState state,
        String callerSession,
        String caller,
        String callerDisplayName,
        String callee,
        Set<String> offeredSessions,
        String answeredSession,
        long version,
        Instant createdAt,
        String ownerNode,
        SipDialog sipDialog,
        String provider,
        Map<String, CallQuality> quality) {

    public CallRecord {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(ownerNode, "ownerNode");
        offeredSessions = offeredSessions == null ? Set.of() : Set.copyOf(offeredSessions);
        quality = quality == null ? Map.of() : Map.copyOf(quality);
    }

    /** A new call in {@link CallState#CALLING}, version 1, driven by {@code ownerNode}. */
    public static CallRecord create(String callId, CallKind kind, String callerSession, String caller,
            String callerDisplayName, String callee, Set<String> offeredSessions, Instant now, String ownerNode) {
        return new CallRecord(callId, kind, CallState.CALLING, callerSession, caller, callerDisplayName, callee,
                offeredSessions, null, 1, now, ownerNode, null, null, Map.of());
    }

    /** A new {@link CallKind#PROVIDER} call in {@link CallState#CALLING} to {@code callee}, taken by {@code provider}. */
    public static CallRecord createProvider(String callId, String callerSession, String caller,
            String callerDisplayName, String callee, String provider, Instant now, String ownerNode) {
        return new CallRecord(callId, CallKind.PROVIDER, CallState.CALLING, callerSession, caller, callerDisplayName,
                callee, Set.of(), null, 1, now, ownerNode, null, Objects.requireNonNull(provider, "provider"), Map.of());
    }

    public CallRecord withState(CallState next) {
        return new CallRecord(callId, kind, next, callerSession, caller, callerDisplayName, callee, offeredSessions,
                answeredSession, version + 1, createdAt, ownerNode, sipDialog, provider, quality);
    }

    public CallRecord withOffered(Set<String> sessions) {
        return new CallRecord(callId, kind, state, callerSession, caller, callerDisplayName, callee, sessions,
                answeredSession, version + 1, createdAt, ownerNode, sipDialog, provider, quality);
    }

    public CallRecord answeredBy(String sessionId) {
        return new CallRecord(callId, kind, CallState.ACCEPTED, callerSession, caller, callerDisplayName, callee,
                offeredSessions, sessionId, version + 1, createdAt, ownerNode, sipDialog, provider, quality);
    }

    /** Back to ringing, nobody's answer taken: the answer that won the race proved unusable. */
    public CallRecord unanswered() {
        return new CallRecord(callId, kind, CallState.RINGING, callerSession, caller, callerDisplayName, callee,
                offeredSessions, null, version + 1, createdAt, ownerNode, sipDialog, provider, quality);
    }

    /** The same call, driven from now on by {@code node}: the owner died and {@code node} took it over. */
    public CallRecord adoptedBy(String node) {
        return new CallRecord(callId, kind, state, callerSession, caller, callerDisplayName, callee, offeredSessions,
                answeredSession, version + 1, createdAt, node, sipDialog, provider, quality);
    }

    /** The same call with its SIP leg's dialog as it stands now. */
    public CallRecord withDialog(SipDialog dialog) {
        return new CallRecord(callId, kind, state, callerSession, caller, callerDisplayName, callee, offeredSessions,
                answeredSession, version + 1, createdAt, ownerNode, dialog, provider, quality);
    }

    /** The same call with {@code user}'s latest quality report in place of the one before. */
    public CallRecord withQuality(String user, CallQuality latest) {
        Map<String, CallQuality> next = new HashMap<>(quality);
        next.put(user, latest);
        return new CallRecord(callId, kind, state, callerSession, caller, callerDisplayName, callee, offeredSessions,
                answeredSession, version + 1, createdAt, ownerNode, sipDialog, provider, next);
    }

    /** The sessions that hear about the call: the caller's, and the callee's (or every ringing one). */
    public Set<String> participants() {
        Set<String> out = new HashSet<>();
        if (callerSession != null) {
            out.add(callerSession);
        }
        if (answeredSession != null) {
            out.add(answeredSession);
        } else {
            out.addAll(offeredSessions);
        }
        return out;
    }

    /** Whether {@code sessionId} takes part: placed it, is ringing with it, or answered it. */
    public boolean involves(String sessionId) {
        return sessionId.equals(callerSession) || sessionId.equals(answeredSession)
                || (answeredSession == null && offeredSessions.contains(sessionId));
    }
}
