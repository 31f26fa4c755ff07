package dev.passerelle.gateway.session;

import java.util.Objects;

/**
 * An event just appended to a session's log, and the session as it was at that instant. The
 * session says which node's socket must see the event; reading it in the same atomic step as the
 * append is what lets a resume on another node miss nothing: the resume attaches first and reads
 * the log second, so an append either comes before that read or sees the new node.
 */
public record Appended(LoggedEvent event, SessionRecord session) {

    public Appended {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(session, "session");
    }
}
