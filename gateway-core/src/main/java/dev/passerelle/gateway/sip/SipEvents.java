package dev.passerelle.gateway.sip;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the SIP side reports, one call per event, each naming the gateway call id. Called on stack
 * threads: implementations return quickly. An implementation may throw
 * {@link dev.passerelle.gateway.error.GatewayException} from {@link #incomingInvite}; the SIP side
 * then answers the INVITE with the exception's SIP status. Any other exception thrown from
 * {@code incomingInvite} is answered 500. Exceptions from the other methods are logged, never
 * propagated into the stack.
 */
public interface SipEvents {

    /**
     * A new INVITE outside any dialog. The SIP side has answered nothing yet except 100 Trying;
     * the application answers with {@link SipService#ringing}, {@link SipService#answer} or
     * {@link SipService#reject}, or by throwing.
     */
    void incomingInvite(InboundInvite invite);

    /** A provisional response 101-199 to our INVITE; {@code sdp} is null when it has no body. */
    void progress(String callId, int status, String reason, String sdp);

    /** A 2xx to our INVITE; the SIP side has already sent the ACK. */
    void accepted(String callId, String sdp);

    /**
     * The leg failed or ended without a BYE: a final non-2xx to our INVITE (including 487 after
     * our CANCEL), a transaction timeout (408), or no ACK for our 2xx (RFC 3261 §13.3.1.4; the
     * SIP side has sent BYE).
     */
    void failed(String callId, int status, String reason);

    /**
     * A 3xx to our INVITE that names where to call instead (RFC 3261 §8.1.3.4); the leg is gone,
     * as after {@link #failed}, and the stack has ACKed the response. {@code contacts} are the
     * sip: and tel: Contact URIs, highest q first, never empty (a 3xx without one is reported as
     * {@link #failed}). Whether and where to call again is the application's choice: it may send a
     * new {@link SipService#invite} under the same call id.
     */
    void redirected(String callId, int status, String reason, List<String> contacts);

    /** The ACK for our 2xx on an inbound leg arrived. */
    void confirmed(String callId);

    /** The peer sent BYE on an established leg; the SIP side has answered 200. */
    void remoteBye(String callId);

    /** The peer cancelled an inbound INVITE before we answered; the SIP side has answered 487. */
    void remoteCancel(String callId);

    /**
     * The peer offers a new session on an existing leg: a re-INVITE or an UPDATE carrying SDP that
     * differs from the session in force (RFC 3261 §14.2, RFC 3311 §5.2). The SIP side answers the
     * request once the stage completes: 200 with the answer it completes with, or, when it fails
     * with a {@link dev.passerelle.gateway.error.GatewayException}, that exception's SIP status
     * (488 when the new session is refused); the session in force then stays as it was. May
     * complete on any thread.
     */
    CompletionStage<String> remoteOffer(String callId, String sdp);

    /**
     * The registration of {@code aor} (see {@link SipService#register}) changed: registered or
     * refreshed (a new {@link RegistrationState#expiresAt()}), failed (the gateway retries with
     * back-off), or unregistered (the last event for that registration).
     */
    void registrationState(String aor, RegistrationState state);

    /**
     * The peer sent DTMF in an INFO on an established leg (RFC 6086 legacy usage); the SIP side has
     * answered 200. {@code tones} is one or more of {@code 0-9 * # A-D}.
     */
    void dtmf(String callId, String tones);

    /**
     * Progress of a transfer asked with {@link SipService#refer}: {@code status} is the final
     * response to the REFER when it is not 2xx (408 when none came), 202 (or the 2xx received)
     * when it was accepted, then the status of each NOTIFY's {@code message/sipfrag} (RFC 3515
     * §2.4.5: 100, 180, 200, 486 ...). {@code outcome} is true for the last report of the
     * transfer: a refused REFER, a final sipfrag status, or a terminated subscription.
     */
    void transfer(String callId, String target, int status, boolean outcome);

    /**
     * The peer of an established leg sent a REFER asking the web user to call {@code target}, a
     * sip: or tel: URI (RFC 3515); the SIP side has answered 202 and sent NOTIFY 100. The
     * application reports the new call with {@link SipService#notifyReferrer}; without a report
     * within 64*T1 the SIP side ends the subscription with 603. {@code referredBy} is the URI of
     * the Referred-By header (RFC 3892), or null.
     */
    void referred(String callId, String target, String referredBy);

    /**
     * A MESSAGE for a web user (RFC 3428). The SIP side answers it once the stage completes, with
     * the status it completes with: 200 once the message is delivered, else the reason it cannot
     * be (404 unknown user, 480 no session, 503 ...); a failed stage is answered 500. May complete
     * on any thread.
     */
    CompletionStage<Integer> message(InboundMessage message);

    /**
     * The presence of what subscription {@code subscriptionId} watches ({@link SipService#subscribe}):
     * each NOTIFY with a PIDF body, mapped to the four states (see {@link SipService#subscribe}).
     * {@code terminated} is true for the last event of a subscription that ended without
     * {@link SipService#unsubscribe}: the notifier ended it for good, a refresh failed, or the one
     * re-subscription after a {@code deactivated}/{@code timeout} end failed; the status is then
     * {@link PresenceStatus#OFFLINE}. {@code note} is null when the document has none.
     */
    void presence(String subscriptionId, PresenceStatus status, String note, boolean terminated);
}
