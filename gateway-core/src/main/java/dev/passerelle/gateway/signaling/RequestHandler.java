package dev.passerelle.gateway.signaling;

import java.util.concurrent.CompletionStage;

/** The application behind the protocol (the websocket-session Camel component implements it). */
public interface RequestHandler {

    /**
     * Handles one valid request. {@code sessionId} is null before login. The stage completes with
     * a result record from {@link Results} or fails with a
     * {@link dev.passerelle.gateway.error.GatewayException}; any other failure is answered 500.
     */
    CompletionStage<Object> handle(String connectionId, String sessionId, Request request);

    /** The connection of a logged-in session closed without {@code session.logout}. */
    void sessionDetached(String sessionId);
}
