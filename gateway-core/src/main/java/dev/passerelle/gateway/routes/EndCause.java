package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.signaling.Event.By;

/**
 * Why the gateway ends a call, as {@code call.ended} reports it to the web side.
 *
 * @param endedBySession the session whose action ended the call, which hears {@code by=local}
 *     while the other participants hear {@code by=remote}; null when the gateway ends it
 * @param code the status reported (and sent as the SIP final response when an inbound leg is
 *     refused)
 */
record EndCause(String endedBySession, int code, String reason) {

    static EndCause byClient(String sessionId, int code, String reason) {
        return new EndCause(sessionId, code, reason);
    }

    static EndCause byGateway(int code, String reason) {
        return new EndCause(null, code, reason);
    }

    /** How a participant of the call hears about this end. */
    By heardBy(String sessionId) {
        if (endedBySession == null) {
            return By.GATEWAY;
        }
        return endedBySession.equals(sessionId) ? By.LOCAL : By.REMOTE;
    }
}
