package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RSeqHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the application asks of a leg, turned into SIP: the UAC side (INVITE, CANCEL, BYE) and
 * the UAS side (180, 2xx, non-2xx). State changes happen under the leg's monitor; messages leave
 * outside it, so a stack thread holding a transaction lock never waits for a leg lock held by a
 * thread that waits for that transaction.
 */
final class LegActions {

    private static final Logger LOG = LoggerFactory.getLogger(LegActions.class);

    /**
     * The expiry that the active Subscription-State of the NOTIFYs of a REFER we accepted
     * announces; the subscription ends before that, with the new call's final status.
     */
    private static final int REFER_SUBSCRIPTION_SECONDS = 60;

    private final SipContext sip;
    private final Adoptions adoptions;
    private final OutOfDialog outOfDialog;
    private final Challenges challenges;
    private final SessionTimers timers;
    /** Offer/answer exchanges within established dialogs, both ways. */
    final ReInvites reInvites;

    LegActions(SipContext sip, Adoptions adoptions, OutOfDialog outOfDialog, Challenges challenges,
            SessionTimers timers) {
        this.sip = sip;
        this.adoptions = adoptions;
        this.outOfDialog = outOfDialog;
        this.challenges = challenges;
        this.timers = timers;
        this.reInvites = new ReInvites(sip, this, timers);
    }

    // ---- UAC -----------------------------------------------------------------------------

    void invite(OutboundInvite invite) {
        ProfileHeaders.checkCustom(sip.config.headers(), invite.headers());
        URI target = parseUri(invite.target(), "target");
        String transport = outOfDialog.transportTo(target, invite.target());

        Request request;
        CallIdHeader callId = sip.provider.getNewCallId();
        try {
            request = buildInvite(invite, target, transport, callId);
        } catch (ParseException | javax.sip.InvalidArgumentException e) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "cannot build the INVITE: " + e.getMessage(), e);
        }
        Leg leg = new Leg(invite.callId(), Leg.Direction.OUTBOUND, callId.getCallId(), Leg.State.CALLING);
        leg.localSdp = invite.sdp();
        leg.transport = transport;
        leg.fromAor = invite.fromUri();
        if (!sip.legs.add(leg)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "call id already in use: " + invite.callId());
        }
        try {
            ClientTransaction ct = sip.clientTransaction(request, leg);
            Dialog dialog = sip.provider.getNewDialog(ct);
            dialog.setApplicationData(leg);
            synchronized (leg) {
                leg.inviteClientTransaction = ct;
                leg.dialog = dialog;
            }
            ct.sendRequest();
        } catch (SipException | RuntimeException e) {
            sip.legs.remove(leg);
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "cannot send the INVITE to " + invite.target() + ": " + e.getMessage(), e);
        }
    }

    private Request buildInvite(OutboundInvite invite, URI target, String transport, CallIdHeader callId)
            throws ParseException, javax.sip.InvalidArgumentException {
        Address fromAddress = sip.addressFactory.createAddress(parseUri(invite.fromUri(), "fromUri"));
        if (invite.fromDisplayName() != null && !invite.fromDisplayName().isBlank()) {
            fromAddress.setDisplayName(invite.fromDisplayName());
        }
        FromHeader from = sip.headerFactory.createFromHeader(fromAddress, sip.newTag());
        ToHeader to = sip.headerFactory.createToHeader(sip.addressFactory.createAddress(target), null);
        Request request = sip.request(target, Request.INVITE, callId, 1L, from, to, transport,
                outOfDialog.preloadedRoute(invite.fromUri()));
        request.addHeader(sip.contact(transport));
        sip.addUserAgent(request);
        sip.addAllow(request);
        timers.addToInvite(request, timers.requestedInterval());
        sip.profile.addTo(request, fromAddress, invite.headers());
        sip.setSdp(request, invite.sdp());
        return request;
    }

    /**
     * After a 422 to our INVITE, the same INVITE again (same Call-ID and From tag, next CSeq, a
     * new branch) asking for at least the Min-SE of the 422 (RFC 4028 §7.3). Once per leg: false
     * when it was already retried or cannot be sent, and the 422 then fails the leg.
     */
    boolean retryAfter422(Leg leg, Response tooSmall) {
        long min = SessionTimers.minSe(tooSmall);
        ClientTransaction old;
        synchronized (leg) {
            boolean pending = leg.state == Leg.State.CALLING || leg.state == Leg.State.PROCEEDING;
            if (!timers.enabled() || leg.retried422 || min <= 0 || !pending) {
                return false;
            }
            leg.retried422 = true;
            old = leg.inviteClientTransaction;
        }
        try {
            Request request = (Request) old.getRequest().clone();
            CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
            cseq.setSeqNumber(cseq.getSeqNumber() + 1);
            request.removeHeader(ViaHeader.NAME);
            request.addHeader(sip.headerFactory.createViaHeader(sip.host, sip.portFor(leg.transport), leg.transport, null));
            timers.askAgain(request, min);
            ClientTransaction ct = sip.clientTransaction(request, leg);
            Dialog dialog = sip.provider.getNewDialog(ct);
            dialog.setApplicationData(leg);
            synchronized (leg) {
                leg.inviteClientTransaction = ct;
                leg.dialog = dialog;
                leg.state = Leg.State.CALLING;
            }
            ct.sendRequest();
            return true;
        } catch (ParseException | SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot send the INVITE of {} again after 422", leg.callId, e);
            return false;
        }
    }

    private URI parseUri(String text, String what) {
        try {
            return sip.uris.parse(text);
        } catch (ParseException | RuntimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "invalid " + what + " URI: " + text);
        }
    }

    /**
     * Answers a 401 or 407 to the leg's INVITE with the credentials of the caller's registration
     * on this node: the same INVITE, same Call-ID and From tag, CSeq one higher, with an
     * {@code Authorization} or {@code Proxy-Authorization} (RFC 3261 §22.2), in a new client
     * transaction and dialog of the same leg, so the application sees nothing. Once per leg.
     *
     * @return false when the leg already answered a challenge, is no longer calling, has no
     *     registration with credentials here, or the challenge cannot be answered: the response
     *     then fails the leg
     */
    boolean answerChallenge(Leg leg, Response response) {
        Request first;
        String aor;
        synchronized (leg) {
            if (leg.challengeAnswered || (leg.state != Leg.State.CALLING && leg.state != Leg.State.PROCEEDING)) {
                return false;
            }
            first = leg.inviteClientTransaction.getRequest();
            aor = leg.fromAor;
        }
        try {
            Optional<Request> retry = challenges.answer(first, response, aor);
            if (retry.isEmpty()) {
                return false;
            }
            ClientTransaction ct = sip.clientTransaction(retry.get(), leg);
            Dialog dialog = sip.provider.getNewDialog(ct);
            dialog.setApplicationData(leg);
            synchronized (leg) {
                if (leg.challengeAnswered) {
                    return false;
                }
                leg.challengeAnswered = true;
                leg.inviteClientTransaction = ct;
                leg.dialog = dialog;
                // No CANCEL before a provisional to the new INVITE (RFC 3261 §9.1).
                if (leg.state == Leg.State.PROCEEDING) {
                    leg.state = Leg.State.CALLING;
                }
            }
            ct.sendRequest();
            return true;
        } catch (ParseException | SipException | RuntimeException e) {
            LOG.warn("cannot answer the {} to the INVITE of {}", response.getStatusCode(), leg.callId, e);
            return false;
        }
    }

    void cancel(String callId) {
        Leg leg = leg(callId);
        if (leg.direction == Leg.Direction.INBOUND) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "cancel applies to outbound legs; use reject");
        }
        Runnable next;
        synchronized (leg) {
            switch (leg.state) {
                case CALLING -> {
                    // RFC 3261 §9.1: no CANCEL before a provisional response; send it when one comes.
                    leg.state = Leg.State.CANCELLING;
                    leg.cancelWhenProvisional = true;
                    next = () -> { };
                }
                case PROCEEDING -> {
                    leg.state = Leg.State.CANCELLING;
                    next = () -> sendCancel(leg);
                }
                case CONFIRMED -> {
                    leg.state = Leg.State.ENDING;
                    next = () -> bye(leg);
                }
                default -> next = () -> { };
            }
        }
        next.run();
    }

    /** Sends CANCEL for the leg's INVITE and bounds the wait for its final response (RFC 3261 §9.1). */
    void sendCancel(Leg leg) {
        try {
            Request cancel = leg.inviteClientTransaction.createCancel();
            sip.clientTransaction(cancel, leg).sendRequest();
        } catch (SipException | RuntimeException e) {
            LOG.warn("CANCEL for {} failed", leg.callId, e);
        }
        sip.timers.schedule(() -> {
            if (leg.ended().isDone()) {
                return;
            }
            LOG.info("no final response to the cancelled INVITE of {} within 64*T1", leg.callId);
            sip.legs.remove(leg);
        }, sip.timer64T1Millis(), TimeUnit.MILLISECONDS);
    }

    // ---- both directions -----------------------------------------------------------------

    void bye(String callId) {
        Leg leg = leg(callId);
        boolean send = false;
        synchronized (leg) {
            switch (leg.state) {
                case CONFIRMED -> {
                    leg.state = Leg.State.ENDING;
                    send = true;
                }
                case ANSWERED -> leg.byeAfterAck = true;
                case ENDING, CANCELLING, ENDED -> {
                    return;
                }
                default -> throw new GatewayException(ErrorCode.BAD_REQUEST,
                        "leg " + callId + " is not established (" + leg.state + "): use "
                                + (leg.direction == Leg.Direction.OUTBOUND ? "cancel" : "reject"));
            }
        }
        if (send) {
            bye(leg);
        }
    }

    /** Sends BYE (from the model for an adopted leg); when it cannot be sent the leg ends at once. */
    void bye(Leg leg) {
        try {
            if (leg.model != null) {
                adoptions.sendBye(leg);
            } else {
                sip.sendBye(leg);
            }
        } catch (SipException | RuntimeException e) {
            LOG.warn("BYE for {} failed", leg.callId, e);
            sip.legs.remove(leg);
        }
    }

    // ---- DTMF as INFO ----------------------------------------------------------------------

    /** Queues one INFO per tone and sends the first unless one is already in flight. */
    void info(String callId, String tones, int durationMs) {
        if (tones == null || tones.isEmpty()) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "no tones to send");
        }
        List<String> bodies = new ArrayList<>();
        for (char tone : tones.toUpperCase(Locale.ROOT).toCharArray()) {
            bodies.add(DtmfRelay.body(tone, durationMs));
        }
        Leg leg = leg(callId);
        String first;
        synchronized (leg) {
            if (leg.state != Leg.State.CONFIRMED || leg.adopting()) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is not established (" + leg.state + ")");
            }
            leg.pendingInfo.addAll(bodies);
            if (leg.infoInFlight) {
                return;
            }
            leg.infoInFlight = true;
            first = leg.pendingInfo.poll();
        }
        sendInfo(leg, first);
    }

    /**
     * The INFO in flight got its final response (or timed out as 408): the next one goes. After
     * 481 or 408 the dialog is gone (RFC 3261 §12.2.1.2), so what is queued is dropped.
     */
    void infoDone(Leg leg, int status) {
        String next;
        synchronized (leg) {
            if (status == Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST || status == Response.REQUEST_TIMEOUT
                    || leg.state != Leg.State.CONFIRMED) {
                leg.pendingInfo.clear();
            }
            next = leg.pendingInfo.poll();
            leg.infoInFlight = next != null;
        }
        if (status >= 300) {
            LOG.info("INFO on {} answered {}", leg.callId, status);
        }
        if (next != null) {
            sendInfo(leg, next);
        }
    }

    private void sendInfo(Leg leg, String body) {
        try {
            sip.sendInDialog(leg, adoptions, Request.INFO, r -> r.setContent(body.getBytes(StandardCharsets.UTF_8),
                    sip.headerFactory.createContentTypeHeader(DtmfRelay.TYPE, DtmfRelay.RELAY)));
        } catch (SipException | ParseException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("INFO on {} could not be sent", leg.callId, e);
            synchronized (leg) {
                leg.pendingInfo.clear();
                leg.infoInFlight = false;
            }
        }
    }

    // ---- blind transfer (RFC 3515, RFC 5589 §6) ------------------------------------------

    void refer(String callId, String target, String referredBy) {
        Address referTo;
        Address referrer;
        try {
            referTo = sip.addressFactory.createAddress(sip.uris.parse(target));
            referrer = sip.addressFactory.createAddress(sip.uris.parse(referredBy));
        } catch (ParseException | RuntimeException e) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "not a SIP or tel URI: " + target + " / " + referredBy);
        }
        Leg leg = leg(callId);
        synchronized (leg) {
            if (leg.state != Leg.State.CONFIRMED || leg.adopting()) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is not established (" + leg.state + ")");
            }
            if (leg.referTarget != null) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is already being transferred");
            }
            leg.referTarget = target;
        }
        try {
            sip.sendInDialog(leg, adoptions, Request.REFER, r -> {
                r.addHeader(sip.headerFactory.createReferToHeader(referTo));
                r.addHeader(sip.headerFactory.createHeader("Referred-By", referrer.toString()));
            });
        } catch (SipException | ParseException | javax.sip.InvalidArgumentException | RuntimeException e) {
            synchronized (leg) {
                leg.referTarget = null;
            }
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "cannot send the REFER of " + callId + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The final response to our REFER (408 on timeout): 2xx is the transfer accepted (RFC 3515
     * §2.4.2), NOTIFYs follow; anything else ends the transfer, and the leg stays as it was.
     */
    void referAnswered(Leg leg, int status) {
        if (status < 200) {
            return;
        }
        String target;
        synchronized (leg) {
            target = leg.referTarget;
            if (target == null) {
                return;
            }
            if (status >= 300) {
                leg.referTarget = null;
            }
        }
        sip.events.transfer(leg.callId, target, status, status >= 300);
    }

    // ---- transfer asked by the peer (RFC 3515) -------------------------------------------

    void notifyReferrer(String callId, int status, String reason) {
        if (status < 100 || status > 699) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "not a SIP status: " + status);
        }
        Leg leg = leg(callId);
        synchronized (leg) {
            if (!leg.referral) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " has no REFER waiting for a report");
            }
            leg.referralReported = true;
        }
        sendReferNotify(leg, status, reason);
    }

    /** Whether a REFER of the leg still waits for the application's first report. */
    boolean referrerWaiting(Leg leg) {
        synchronized (leg) {
            return leg.referral && !leg.referralReported;
        }
    }

    /**
     * A NOTIFY of the REFER's implicit subscription (RFC 3515 §2.4.4) with the sipfrag of
     * {@code status}; a final status terminates it (§2.4.7).
     */
    void sendReferNotify(Leg leg, int status, String reason) {
        boolean last = status >= 200;
        synchronized (leg) {
            if (!leg.referral) {
                return;
            }
            if (last) {
                leg.referral = false;
            }
        }
        String phrase = reasonPhrase(reason);
        String body = SipFrag.of(status, phrase == null ? "Status" : phrase);
        try {
            sip.sendInDialog(leg, adoptions, Request.NOTIFY, r -> {
                r.addHeader(sip.headerFactory.createEventHeader("refer"));
                SubscriptionStateHeader state = sip.headerFactory.createSubscriptionStateHeader(
                        last ? SubscriptionStateHeader.TERMINATED : SubscriptionStateHeader.ACTIVE);
                if (last) {
                    state.setReasonCode(SubscriptionStateHeader.NO_RESOURCE);
                } else {
                    state.setExpires(REFER_SUBSCRIPTION_SECONDS);
                }
                r.addHeader(state);
                r.setContent(body.getBytes(StandardCharsets.UTF_8),
                        sip.headerFactory.createContentTypeHeader("message", "sipfrag"));
                r.addHeader(sip.contact(leg.transport == null ? "udp" : leg.transport));
            });
        } catch (SipException | ParseException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("NOTIFY {} to the referrer of {} could not be sent", status, leg.callId, e);
        }
    }

    // ---- UAS -----------------------------------------------------------------------------

    void ringing(String callId) {
        Leg leg = inbound(callId);
        boolean reliable;
        synchronized (leg) {
            if (leg.state != Leg.State.INVITED && leg.state != Leg.State.RINGING) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is " + leg.state);
            }
            leg.state = Leg.State.RINGING;
            reliable = leg.reliableProvisionals;
            if (reliable && leg.awaitingPrack) {
                // RFC 3262 §3: no second reliable 18x before the first is PRACKed; the 180 is out.
                return;
            }
            leg.awaitingPrack = reliable;
        }
        if (reliable) {
            sendReliableRinging(leg);
        } else {
            sendOnInvite(leg, Response.RINGING, null, null);
        }
    }

    /**
     * 180 sent reliably (RFC 3262 §3): Require: 100rel and an RSeq, retransmitted by the stack
     * until the PRACK. Without a PRACK within 64*T1 the INVITE is refused with 500 and the
     * application hears {@code failed 500 "No PRACK"}.
     */
    private void sendReliableRinging(Leg leg) {
        try {
            Response r = leg.dialog.createReliableProvisionalResponse(Response.RINGING);
            // The stack would pick a To tag of its own; the 2xx must carry the leg's (§12.1.1).
            ((ToHeader) r.getHeader(ToHeader.NAME)).setTag(leg.localTag);
            r.setHeader(sip.contact(leg.transport));
            leg.dialog.sendReliableProvisionalResponse(r);
            RSeqHeader rseq = (RSeqHeader) r.getHeader(RSeqHeader.NAME);
            synchronized (leg) {
                if (leg.awaitingPrack && rseq != null) {
                    leg.pendingRSeq = rseq.getSequenceNumber();
                }
            }
        } catch (ParseException | SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot send a reliable 180 on {}", leg.callId, e);
            synchronized (leg) {
                leg.awaitingPrack = false;
            }
            return;
        }
        sip.timers.schedule(() -> {
            boolean fail;
            synchronized (leg) {
                fail = leg.awaitingPrack && (leg.state == Leg.State.RINGING || leg.state == Leg.State.ANSWERED);
                if (fail) {
                    leg.state = Leg.State.ENDED;
                }
            }
            if (fail) {
                sip.legs.remove(leg);
                sendOnInvite(leg, Response.SERVER_INTERNAL_ERROR, "No PRACK", null);
                sip.events.failed(leg.callId, Response.SERVER_INTERNAL_ERROR, "No PRACK");
            }
        }, sip.timer64T1Millis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The PRACK of our reliable 18x came (RFC 3262 §3): true when {@code rseq} is the one we wait
     * for. A 2xx held back for it goes out now.
     */
    boolean onPrack(Leg leg, long rseq) {
        String held;
        synchronized (leg) {
            if (!leg.awaitingPrack || (leg.pendingRSeq >= 0 && leg.pendingRSeq != rseq)) {
                return false;
            }
            leg.awaitingPrack = false;
            held = leg.state == Leg.State.ANSWERED ? leg.heldAnswer : null;
            leg.heldAnswer = null;
        }
        if (held != null) {
            sendOnInvite(leg, Response.OK, null, held);
        }
        return true;
    }

    void answer(String callId, String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "answer needs an SDP");
        }
        Leg leg = inbound(callId);
        synchronized (leg) {
            if (leg.state != Leg.State.INVITED && leg.state != Leg.State.RINGING) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is " + leg.state);
            }
            leg.state = Leg.State.ANSWERED;
            leg.localSdp = sdp;
            if (leg.awaitingPrack) {
                // RFC 3262 §3: the 2xx waits for the PRACK of our reliable 18x (onPrack sends it).
                leg.heldAnswer = sdp;
                return;
            }
        }
        // RFC 3261 §13.3.1.4: the dialog retransmits this 2xx until the ACK arrives; without ACK
        // the stack reports a dialog timeout after 64*T1 (GatewaySipListener sends the BYE).
        sendOnInvite(leg, Response.OK, null, sdp);
    }

    void reject(String callId, int status, String reason) {
        if (status < 300 || status > 699) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "reject needs a status 300..699, was " + status);
        }
        Leg leg = inbound(callId);
        if (!rejectInbound(leg, status, reason)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is already answered");
        }
    }

    /** A final non-2xx to a pending inbound INVITE; false when it is no longer pending. */
    boolean rejectInbound(Leg leg, int status, String reason) {
        synchronized (leg) {
            if (leg.state != Leg.State.INVITED && leg.state != Leg.State.RINGING
                    && !(leg.state == Leg.State.ANSWERED && leg.heldAnswer != null)) {
                return false;
            }
            leg.state = Leg.State.ENDED;
        }
        sip.legs.remove(leg);
        sendOnInvite(leg, status, reasonPhrase(reason), null);
        return true;
    }

    /**
     * Like {@link #rejectInbound(Leg, int, String)}, for a 488 caused by the offer: the problem
     * goes in a Warning header (RFC 3261 §21.4.26: "the response SHOULD include a Warning header
     * field explaining why the offer was rejected"; warn-code 399 miscellaneous, §20.43), where
     * the phone's log shows it, and the reason phrase stays the standard one.
     */
    boolean rejectOffer(Leg leg, String problem) {
        synchronized (leg) {
            if (leg.state != Leg.State.INVITED && leg.state != Leg.State.RINGING) {
                return false;
            }
            leg.state = Leg.State.ENDED;
        }
        sip.legs.remove(leg);
        try {
            Response r = sip.response(Response.NOT_ACCEPTABLE_HERE, leg.inviteServerTransaction.getRequest(), leg.localTag);
            r.addHeader(sip.warning(problem));
            leg.inviteServerTransaction.sendResponse(r);
        } catch (ParseException | SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot send 488 on {}", leg.callId, e);
        }
        return true;
    }

    /** 487 to the pending INVITE of a leg the peer abandoned (RFC 3261 §9.2, §15.1.2). */
    void terminatePendingInvite(Leg leg) {
        sendOnInvite(leg, Response.REQUEST_TERMINATED, null, null);
    }

    private void sendOnInvite(Leg leg, int status, String reason, String sdp) {
        try {
            Response r = sip.response(status, leg.inviteServerTransaction.getRequest(), leg.localTag);
            if (reason != null) {
                r.setReasonPhrase(reason);
            }
            if (status < 300) {
                r.addHeader(sip.contact(leg.transport));
            }
            if (status >= 200 && status < 300) {
                sip.addAllow(r);
                r.addHeader(sip.headerFactory.createSupportedHeader(SessionTimers.RELIABLE));
                timers.addToAnswer(leg, r);
            }
            if (sdp != null) {
                sip.setSdp(r, sdp);
            }
            leg.inviteServerTransaction.sendResponse(r);
        } catch (ParseException | SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot send {} on {}", status, leg.callId, e);
        }
    }

    /** A reason phrase safe for a status line (RFC 3261 §25.1 Reason-Phrase), or null for the default. */
    static String reasonPhrase(String text) {
        return SipContext.printable(text, 120);
    }

    // ---- shutdown ------------------------------------------------------------------------

    /** Starts ending the leg the way its state allows; the future completes when it has ended. */
    CompletableFuture<Void> shutdown(Leg leg) {
        Leg.State state;
        synchronized (leg) {
            state = leg.state;
        }
        boolean held;
        synchronized (leg) {
            held = leg.heldAnswer != null;
        }
        switch (state) {
            case INVITED, RINGING -> rejectInbound(leg, Response.SERVICE_UNAVAILABLE, null);
            case ANSWERED, CONFIRMED -> {
                if (held && rejectInbound(leg, Response.SERVICE_UNAVAILABLE, null)) {
                    // The 2xx waited for a PRACK and never left: the INVITE is still pending.
                    break;
                }
                synchronized (leg) {
                    leg.state = Leg.State.ENDING;
                }
                bye(leg);
            }
            case CALLING, PROCEEDING -> cancel(leg.callId);
            default -> {
                // Already ending: its own transaction completes it.
            }
        }
        return leg.ended();
    }

    private Leg leg(String callId) {
        return sip.legs.get(callId).orElseThrow(() ->
                new GatewayException(ErrorCode.CALL_DOES_NOT_EXIST, "no SIP leg " + callId));
    }

    private Leg inbound(String callId) {
        Leg leg = leg(callId);
        if (leg.direction != Leg.Direction.INBOUND) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is outbound");
        }
        return leg;
    }
}
