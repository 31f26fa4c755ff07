package dev.passerelle.gateway.sip;

import java.time.Duration;

/**
 * The SIP side of the gateway as the rest of the code sees it: a back-to-back user agent whose
 * legs are named by the gateway's own call id. No JAIN-SIP type crosses this interface.
 *
 * <p>Every method returns once the request or response is handed to the stack; what the peer does
 * next arrives on {@link SipEvents}. A method called for a call id the SIP side does not know, or
 * in a state where the action is impossible, throws
 * {@link dev.passerelle.gateway.error.GatewayException} with
 * {@link dev.passerelle.gateway.error.ErrorCode#CALL_DOES_NOT_EXIST} or
 * {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST}.
 */
public interface SipService {

    /**
     * Parses a URI the way the SIP side will read it (RFC 3261 §19.1, RFC 3966), so that the
     * application can tell its own users from other destinations without parsing SIP itself.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#INVALID_PARAMS} when it is not such a URI
     */
    SipUri parseUri(String uri);

    /** Binds UDP and TCP on the configured host and port and starts the stack. */
    void start();

    /** The SIP port actually bound (the configured one, or the one picked for port 0). */
    int port();

    /** Where new events go; set once, before {@link #start()}. */
    void setEvents(SipEvents events);

    /**
     * Starts a new UAC leg: a new dialog with its own Call-ID, From tag and CSeq, sent to
     * {@link OutboundInvite#target()} or through the outbound proxy when one is configured.
     */
    void invite(OutboundInvite invite);

    /**
     * Abandons an outbound leg. Before a final response: CANCEL (RFC 3261 §9.1); if a 2xx still
     * arrives, it is ACKed and a BYE follows (§15). After a 2xx: BYE. Never throws for a leg that
     * is already ending.
     */
    void cancel(String callId);

    /** Ends an established leg of either direction with BYE (RFC 3261 §15.1.1). */
    void bye(String callId);

    /** Sends 180 Ringing on an inbound leg. */
    void ringing(String callId);

    /** Answers an inbound leg with 200 OK carrying {@code sdp}; the ACK arrives as {@link SipEvents#confirmed}. */
    void answer(String callId, String sdp);

    /** Refuses an inbound leg that is not answered yet with a final non-2xx response. */
    void reject(String callId, int status, String reason);

    /**
     * Ends every leg still alive (BYE, CANCEL, or 503 to unanswered inbound INVITEs), waits up to
     * {@code grace} for their transactions to finish, then stops the stack. Idempotent.
     */
    void stop(Duration grace);
}
