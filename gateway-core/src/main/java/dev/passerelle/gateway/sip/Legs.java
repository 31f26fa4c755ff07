package dev.passerelle.gateway.sip;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The live legs, by gateway call id and by SIP Call-ID. A leg is here until it has ended. */
final class Legs {

    private final ConcurrentMap<String, Leg> byCallId = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Leg> bySipCallId = new ConcurrentHashMap<>();

    /** Adds the leg; false if its gateway call id is already taken. */
    boolean add(Leg leg) {
        if (byCallId.putIfAbsent(leg.callId, leg) != null) {
            return false;
        }
        bySipCallId.put(leg.sipCallId, leg);
        return true;
    }

    Optional<Leg> get(String callId) {
        return Optional.ofNullable(byCallId.get(callId));
    }

    Optional<Leg> bySipCallId(String sipCallId) {
        return Optional.ofNullable(bySipCallId.get(sipCallId));
    }

    /** Removes the leg and marks it ended; a second call does nothing. */
    void remove(Leg leg) {
        byCallId.remove(leg.callId, leg);
        bySipCallId.remove(leg.sipCallId, leg);
        leg.markEnded();
    }

    List<Leg> snapshot() {
        return List.copyOf(byCallId.values());
    }

    int size() {
        return byCallId.size() + bySipCallId.size();
    }
}
