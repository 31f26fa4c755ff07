package dev.passerelle.gateway.routes;

/** The sockets of this node, as the routes need them (the signaling server provides them). */
public interface SessionPusher {

    /** Sends a frame to the socket the session is attached to here; false when it has none. Never blocks. */
    boolean push(String sessionId, String frame);

    /** Attaches a session to a connection now, so that frames pushed next reach it. */
    void attach(String connectionId, String sessionId);

    /**
     * The session was resumed on another node: closes its connection here, if any, without
     * reporting it detached.
     */
    void release(String sessionId);
}
