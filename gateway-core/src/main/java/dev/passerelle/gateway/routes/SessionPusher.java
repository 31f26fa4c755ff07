package dev.passerelle.gateway.routes;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** The sockets of this node, as the routes need them (the signaling server provides them). */
public interface SessionPusher {

    /** Sends a frame to the socket the session is attached to here; false when it has none. Never blocks. */
    boolean push(String sessionId, String frame);

    /** Attaches a session to a connection now, so that frames pushed next reach it. */
    void attach(String connectionId, String sessionId);

    /**
     * Sends a request to the client of the session, attached to this node, and completes with
     * its result as {@code resultType}; fails with a
     * {@link dev.passerelle.gateway.error.GatewayException}: the client's error code,
     * {@link dev.passerelle.gateway.error.ErrorCode#TIMEOUT} when it did not answer within
     * {@code timeout}, {@link dev.passerelle.gateway.error.ErrorCode#SERVICE_UNAVAILABLE} when the
     * session has no socket here or it closed first. Never blocks.
     */
    <T> CompletionStage<T> request(String sessionId, String method, Object params, Class<T> resultType,
            Duration timeout);

    /**
     * The session was resumed on another node: closes its connection here, if any, without
     * reporting it detached.
     */
    void release(String sessionId);
}
