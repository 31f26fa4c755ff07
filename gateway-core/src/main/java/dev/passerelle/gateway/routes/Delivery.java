package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.signaling.Event;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/** An event for some web sessions: the body {@code websession:events} takes (alone or in a list). */
record Delivery(Set<String> sessionIds, Event event) {

    Delivery {
        sessionIds = Set.copyOf(sessionIds);
    }

    static Delivery to(String sessionId, Event event) {
        return new Delivery(Set.of(sessionId), event);
    }

    static Delivery to(Collection<String> sessionIds, Event event) {
        return new Delivery(Set.copyOf(sessionIds), event);
    }

    static List<Delivery> none() {
        return List.of();
    }
}
