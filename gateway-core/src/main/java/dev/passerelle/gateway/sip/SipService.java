package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.session.SipDialog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

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

    /**
     * Refuses custom headers a client may not add to a call, by the rule {@link #invite} applies:
     * identity, charging and routing headers never, others as {@code sip.headers.allow} says.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#INVALID_PARAMS} naming the first such header
     */
    void checkHeaders(Map<String, String> headers);

    /**
     * The addresses of {@code sip.outboundProxy} (RFC 3263 §4 resolution) in the order requests
     * use them, each with its keepalive state; empty without an outbound proxy or before start.
     */
    List<ProxyAddress> outboundProxyState();

    /** Binds UDP and TCP on the configured host and port, and TLS when configured, and starts the stack. */
    void start();

    /** The SIP port actually bound (the configured one, or the one picked for port 0). */
    int port();

    /** The SIP over TLS port actually bound, or 0 when {@code sip.tls} is not configured. */
    int tlsPort();

    /** Where new events go; set once, before {@link #start()}. */
    void setEvents(SipEvents events);

    /**
     * Starts a new UAC leg: a new dialog with its own Call-ID, From tag and CSeq, sent to
     * {@link OutboundInvite#target()} or through the outbound proxy when one is configured.
     */
    void invite(OutboundInvite invite);

    /**
     * Sends a MESSAGE outside any dialog (RFC 3428 §4), routed like {@link #invite}. The stage
     * completes with the outcome: the final response's status (2xx: delivered to the next hop's
     * satisfaction), 408 when none came in time, 503 when it could not be sent. A 401 or 407 is
     * answered once with the credentials of the sender's registration on this node, if any; a
     * second challenge is the outcome. Completes on a stack thread.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST} for a target the gateway
     *     cannot reach (unsupported scheme or transport, tel: without outbound proxy)
     */
    CompletionStage<Integer> message(OutboundMessage message);

    /**
     * Abandons an outbound leg. Before a final response: CANCEL (RFC 3261 §9.1); if a 2xx still
     * arrives, it is ACKed and a BYE follows (§15). After a 2xx: BYE. Never throws for a leg that
     * is already ending.
     */
    void cancel(String callId);

    /** Ends an established leg of either direction with BYE (RFC 3261 §15.1.1). */
    void bye(String callId);

    /**
     * A snapshot of the leg's SIP dialog for the store, so that another node can take the leg over
     * ({@link #adopt}) or end it ({@link #end}) should this one die. Present once the dialog is
     * confirmed both ways: outbound after our ACK of the 2xx (from {@link SipEvents#accepted} on),
     * inbound after the ACK of our 2xx (from {@link SipEvents#confirmed} on), adopted once the
     * adoption has completed; empty before that, once the leg is ending, and for an unknown call id.
     */
    Optional<SipDialog> dialog(String callId);

    /**
     * Makes this node hold leg {@code callId} from another node's snapshot: the leg is registered
     * as established, and a re-INVITE built from {@code dialog} with this node's Contact and the
     * dialog's local SDP unchanged makes the peer target this node (RFC 3261 §12.2.1.1, §14). The
     * stage is the whole outcome, never reported on {@link SipEvents}:
     * <ul>
     * <li>completes normally on a 2xx, which is ACKed and whose Contact becomes the remote target;
     *     the leg is then like any established leg ({@link #bye}, {@link SipEvents#remoteBye},
     *     {@link #dialog}, {@link #stop});
     * <li>fails with {@link dev.passerelle.gateway.error.ErrorCode#CALL_DOES_NOT_EXIST} on 481, or
     *     {@link dev.passerelle.gateway.error.ErrorCode#TIMEOUT} on 408 or no answer: the dialog is
     *     gone and the leg removed;
     * <li>fails with the code of any other final status (e.g. 488, 491) after sending a BYE, because
     *     the peer still targets the dead node;
     * <li>fails with {@link dev.passerelle.gateway.error.ErrorCode#CALL_DOES_NOT_EXIST} when the leg
     *     ends first (the peer's BYE, {@link #bye}, {@link #stop}), with
     *     {@link dev.passerelle.gateway.error.ErrorCode#INVALID_PARAMS} for a snapshot that cannot
     *     be rebuilt or has no local SDP, {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST}
     *     when the call id is taken here, and
     *     {@link dev.passerelle.gateway.error.ErrorCode#SERVICE_UNAVAILABLE} when the re-INVITE
     *     cannot be sent.
     * </ul>
     * The stage completes on a SIP stack thread: what depends on it returns quickly.
     */
    CompletionStage<Void> adopt(String callId, SipDialog dialog);

    /**
     * Ends a dialog that no node adopted: one BYE built from {@code dialog} with this node's Via,
     * CSeq one above {@link SipDialog#localCseq()} (RFC 3261 §15.1.1). No leg is kept beyond that
     * BYE's transaction and no event follows; a peer that does not answer is only logged.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#INVALID_PARAMS} for a snapshot that cannot be
     *     rebuilt, {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST} when this node holds a
     *     leg of that call id
     */
    void end(String callId, SipDialog dialog);

    /**
     * Registers {@code registration.aor()} at {@code sip.registrar} on the user's behalf and keeps
     * it registered (refreshes, retries with back-off after a failure) until {@link #unregister};
     * every change is reported as {@link SipEvents#registrationState}. A no-op for an address of
     * record this node already registers: counting the user's sessions is the application's job.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST} when no {@code sip.registrar}
     *     is configured, {@link dev.passerelle.gateway.error.ErrorCode#INVALID_PARAMS} for an
     *     address of record that is not a SIP URI
     */
    void register(SipRegistration registration);

    /**
     * Removes this node's binding for {@code aor} (REGISTER with {@code Expires: 0}, RFC 3261
     * §10.2.2) and stops refreshing it; {@link RegistrationState.Status#UNREGISTERED} follows once
     * the registrar has answered or not answered in time. A no-op for an address of record this
     * node does not register.
     */
    void unregister(String aor);

    /**
     * Offers a new session on an established leg of either direction with a re-INVITE in its
     * dialog (RFC 3261 §14.1) carrying {@code sdp}. The stage completes with the peer's answer
     * from its 2xx, which is ACKed; the leg's session is then the new one. It fails with a
     * {@link dev.passerelle.gateway.error.GatewayException} and the session in force stays:
     * the code of the peer's final status (e.g. 488); 491 when the peer answered 491 to the
     * first try and {@value ReInvites#MAX_GLARE_RETRIES} retries, each sent after the back-off of
     * RFC 3261 §14.1; 481 or 408 (no answer), after which the leg is ended with BYE and
     * {@link SipEvents#failed} follows. Refused at once with
     * {@link dev.passerelle.gateway.error.ErrorCode#REQUEST_PENDING} while another offer/answer
     * exchange of the leg is in progress, {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST}
     * when the leg is not established, and
     * {@link dev.passerelle.gateway.error.ErrorCode#SERVICE_UNAVAILABLE} for a leg taken over
     * from another node ({@link #adopt}). Completes on a SIP stack thread.
     */
    CompletionStage<String> reinvite(String callId, String sdp);

    /**
     * Sends {@code tones} on an established leg, one INFO per tone with an
     * {@code application/dtmf-relay} body of {@code durationMs}, each sent once the previous one
     * has its final response, so that they reach the peer in order. Tones asked for while others
     * are still going are queued behind them; a request timeout, 408 or 481 drops what is queued.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#INVALID_PARAMS} for a tone not in
     *     {@code 0-9 * # A-D}, {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST} when the
     *     leg is not established, {@link dev.passerelle.gateway.error.ErrorCode#CALL_DOES_NOT_EXIST}
     *     for an unknown call id
     */
    void info(String callId, String tones, int durationMs);

    /**
     * Asks the peer of an established leg to call {@code target} instead (blind transfer, RFC 5589
     * §6): a REFER within the dialog with {@code Refer-To: <target>} (RFC 3515 §2.1) and
     * {@code Referred-By: <referredBy>} (RFC 3892). The response and the NOTIFYs that follow come
     * as {@link SipEvents#transfer}; the leg itself stays up (ending it is the application's
     * choice). One transfer at a time per leg.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#INVALID_PARAMS} for a target or referrer
     *     that is not a SIP or tel URI, {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST}
     *     when the leg is not established or a transfer is already under way,
     *     {@link dev.passerelle.gateway.error.ErrorCode#CALL_DOES_NOT_EXIST} for an unknown call id
     */
    void refer(String callId, String target, String referredBy);

    /**
     * Reports to the peer that sent a REFER ({@link SipEvents#referred}) how the new call goes: a
     * NOTIFY with a {@code message/sipfrag} of {@code SIP/2.0 <status> <reason>} (RFC 3515
     * §2.4.5). A final status (200 and above) ends the implicit subscription
     * ({@code Subscription-State: terminated}, §2.4.7); nothing more may be reported after it.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST} when no REFER of this leg
     *     waits for a report, {@link dev.passerelle.gateway.error.ErrorCode#CALL_DOES_NOT_EXIST}
     *     for an unknown call id
     */
    void notifyReferrer(String callId, int status, String reason);

    /**
     * Subscribes {@code fromAor} to the presence of {@code target}, a sip:, sips: or tel: URI
     * (RFC 6665 §4.1.2.1, RFC 3856 §6): a SUBSCRIBE with {@code Event: presence},
     * {@code Accept: application/pidf+xml} and {@code Expires: 3600}, routed like an INVITE
     * (outbound proxy, then the Service-Route of {@code fromAor}'s registration). A 401/407 is
     * answered once with the credentials of {@code fromAor}'s registration on this node; a second
     * one fails the stage with its code. The stage completes on the 2xx, and fails with the code of
     * any other final response, or 408 without one. NOTIFYs, which may come before the 2xx, are
     * reported as {@link SipEvents#presence}; the subscription is refreshed before it expires until
     * {@link #unsubscribe} or {@link #stop}. Completes on a SIP stack thread.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST} for a target or AOR that is not
     *     a usable URI or an id in use, {@link dev.passerelle.gateway.error.ErrorCode#SERVICE_UNAVAILABLE}
     *     when the SUBSCRIBE cannot be sent
     */
    CompletionStage<Void> subscribe(String subscriptionId, String fromAor, String target);

    /**
     * Ends a subscription with a SUBSCRIBE {@code Expires: 0} in its dialog (RFC 6665 §4.1.2.3),
     * sent once the dialog exists when it does not yet; no {@link SipEvents#presence} follows. A
     * no-op for an unknown or ended subscription.
     */
    void unsubscribe(String subscriptionId);

    /**
     * Publishes the presence of {@code aor} (IMS mode) with PUBLISH (RFC 3903 §4, Event: presence,
     * a PIDF document: one tuple, {@code closed} for {@link PresenceStatus#OFFLINE}, RPID
     * {@code away}/{@code busy}), Request-URI the AOR, routed through the outbound proxy and the
     * registration's Service-Route. Later calls modify the publication with {@code SIP-If-Match};
     * it is refreshed before it expires until {@link #unpublish}. A 401/407 is answered once with
     * the AOR's registration on this node. The stage completes on the 2xx and fails with the code
     * of another final response (408 without one); completes on a SIP stack thread.
     *
     * @throws dev.passerelle.gateway.error.GatewayException with
     *     {@link dev.passerelle.gateway.error.ErrorCode#BAD_REQUEST} without {@code sip.registrar},
     *     or for an AOR that is not a SIP URI
     */
    CompletionStage<Void> publish(String aor, PresenceStatus status, String note);

    /**
     * Removes the publication of {@code aor} ({@code Expires: 0} with its entity tag, RFC 3903
     * §4.5); completes at once when there is none.
     */
    CompletionStage<Void> unpublish(String aor);

    /** Sends 180 Ringing on an inbound leg. */
    void ringing(String callId);

    /** Answers an inbound leg with 200 OK carrying {@code sdp}; the ACK arrives as {@link SipEvents#confirmed}. */
    void answer(String callId, String sdp);

    /** Refuses an inbound leg that is not answered yet with a final non-2xx response. */
    void reject(String callId, int status, String reason);

    /**
     * Ends every leg still alive (BYE, CANCEL, or 503 to unanswered inbound INVITEs), every
     * presence subscription, every publication and every registration of this node, waits up to {@code grace} for their transactions to finish,
     * then stops the stack. Idempotent.
     */
    void stop(Duration grace);
}
