package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import gov.nist.javax.sip.ResponseEventExt;
import java.text.ParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offer/answer exchanges within an established dialog, both ways (RFC 3261 §14): the
 * application's re-INVITE with its glare back-off, and the peer's re-INVITE with a new offer,
 * answered once {@link SipEvents#remoteOffer} completes. At most one exchange per dialog is in
 * progress at a time (RFC 3264 §4, RFC 3261 §14.1).
 */
final class ReInvites {

    private static final Logger LOG = LoggerFactory.getLogger(ReInvites.class);

    /** How many times a re-INVITE answered 491 is sent again before the application hears 491. */
    static final int MAX_GLARE_RETRIES = 3;
    /** Retry-After of a 500 to a re-INVITE the application could not answer now (RFC 3261 §14.2). */
    static final int RETRY_AFTER_SECONDS = 5;

    private final SipContext sip;
    private final LegActions actions;
    private final SessionTimers timers;

    ReInvites(SipContext sip, LegActions actions, SessionTimers timers) {
        this.sip = sip;
        this.actions = actions;
        this.timers = timers;
    }

    /** The application's re-INVITE, from {@link SipService#reinvite} to its final outcome. */
    static final class Pending {
        final String offer;
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        /** True while a re-INVITE transaction of this exchange awaits its final response. */
        boolean inFlight;
        int glares;

        Pending(String offer) {
            this.offer = offer;
        }
    }

    /**
     * The back-off before sending again a re-INVITE answered 491 (RFC 3261 §14.1): when this side
     * owns the dialog's Call-ID (it sent the first INVITE), 2.1 to 4 s in units of 10 ms; when
     * not, 0 to 2 s in units of 10 ms.
     */
    static long glareDelayMillis(boolean ownsCallId, RandomGenerator random) {
        return ownsCallId ? 2100 + 10L * random.nextInt(191) : 10L * random.nextInt(201);
    }

    // ---- UAC: our re-INVITE ---------------------------------------------------------------

    CompletionStage<String> start(String callId, String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "a re-INVITE needs an offer");
        }
        Leg leg = sip.legs.get(callId).orElseThrow(() ->
                new GatewayException(ErrorCode.CALL_DOES_NOT_EXIST, "no SIP leg " + callId));
        Pending p = new Pending(sdp);
        synchronized (leg) {
            if (leg.model != null) {
                throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                        "leg " + callId + " was taken over from another node: it cannot be re-negotiated");
            }
            if (leg.state != Leg.State.CONFIRMED) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is " + leg.state);
            }
            if (leg.reInvite != null || leg.answeringReInvite) {
                throw new GatewayException(ErrorCode.REQUEST_PENDING,
                        "an offer/answer exchange is already in progress on " + callId);
            }
            leg.reInvite = p;
            p.inFlight = true;
        }
        leg.ended().thenRun(() -> finish(leg, p, null,
                new GatewayException(ErrorCode.CALL_DOES_NOT_EXIST, "leg " + callId + " ended")));
        send(leg, p);
        return p.outcome.copy();
    }

    private void send(Leg leg, Pending p) {
        try {
            Request request = leg.dialog.createRequest(Request.INVITE);
            // RFC 3261 §14.1: a re-INVITE is a target refresh; our Contact stays the same.
            request.setHeader(sip.contact(leg.transport));
            sip.addUserAgent(request);
            sip.addAllow(request);
            sip.setSdp(request, p.offer);
            ClientTransaction ct = sip.clientTransaction(request, leg);
            synchronized (leg) {
                leg.reInviteCseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
            }
            leg.dialog.sendRequest(ct);
        } catch (ParseException | SipException | RuntimeException e) {
            LOG.warn("re-INVITE on {} could not be sent", leg.callId, e);
            finish(leg, p, null, new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "cannot send the re-INVITE: " + e.getMessage(), e));
        }
    }

    /** Whether an INVITE response on {@code leg} answers one of our re-INVITEs. */
    static boolean answersReInvite(Leg leg, CSeqHeader cseq) {
        synchronized (leg) {
            return leg.reInviteCseq != 0 && cseq.getSeqNumber() == leg.reInviteCseq;
        }
    }

    void onResponse(Leg leg, ResponseEvent event, Response response, CSeqHeader cseq)
            throws SipException, InvalidArgumentException {
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        Pending p;
        synchronized (leg) {
            p = leg.reInvite;
        }
        if (status < 300) {
            onSuccess(leg, p, event, response, cseq);
        } else if (p == null) {
            LOG.debug("{} to a finished re-INVITE on {} ignored", status, leg.callId);
        } else if (status == Response.REQUEST_PENDING) {
            onGlare(leg, p);
        } else if (status == Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST || status == Response.REQUEST_TIMEOUT) {
            endDialog(leg, p, status, response.getReasonPhrase());
        } else {
            // RFC 3261 §14.1: any other non-2xx leaves the session in force unchanged.
            finish(leg, p, null, new GatewayException(ErrorCode.forSipStatus(status),
                    "re-INVITE refused: " + status + " " + response.getReasonPhrase()));
        }
    }

    private void onSuccess(Leg leg, Pending p, ResponseEvent event, Response response, CSeqHeader cseq)
            throws SipException, InvalidArgumentException {
        Dialog dialog = event.getDialog() != null ? event.getDialog() : leg.dialog;
        boolean retransmission = event.getClientTransaction() == null
                || (event instanceof ResponseEventExt ext && ext.isRetransmission());
        Request ack;
        boolean first;
        synchronized (leg) {
            first = !(retransmission && leg.reInviteAck != null) && p != null && p.inFlight;
            if (first) {
                // RFC 3261 §13.2.2.4: every 2xx is ACKed, a retransmission with the same ACK.
                ack = dialog.createAck(cseq.getSeqNumber());
                leg.reInviteAck = ack;
            } else {
                ack = leg.reInviteAck;
            }
        }
        if (ack != null) {
            dialog.sendAck(ack);
        }
        if (!first) {
            return;
        }
        String answer = SipContext.body(response);
        if (answer == null) {
            // RFC 3264 §5: the 2xx to an INVITE carrying an offer must carry the answer.
            finish(leg, p, null, new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "the 2xx to the re-INVITE has no answer"));
            return;
        }
        finish(leg, p, answer, null);
    }

    private void onGlare(Leg leg, Pending p) {
        boolean retry;
        synchronized (leg) {
            p.inFlight = false;
            p.glares++;
            retry = p.glares <= MAX_GLARE_RETRIES && leg.state == Leg.State.CONFIRMED;
        }
        if (!retry) {
            finish(leg, p, null, new GatewayException(ErrorCode.REQUEST_PENDING,
                    "the peer answered 491 to " + (MAX_GLARE_RETRIES + 1) + " re-INVITEs"));
            return;
        }
        long delay = glareDelayMillis(leg.direction == Leg.Direction.OUTBOUND, ThreadLocalRandom.current());
        LOG.debug("re-INVITE on {} met glare; sent again in {} ms", leg.callId, delay);
        sip.timers.schedule(() -> retry(leg, p), delay, TimeUnit.MILLISECONDS);
    }

    private void retry(Leg leg, Pending p) {
        boolean send;
        boolean later;
        synchronized (leg) {
            send = leg.reInvite == p && leg.state == Leg.State.CONFIRMED && !leg.answeringReInvite;
            // The peer's exchange, which won the glare, is still in progress: back off again.
            later = leg.reInvite == p && leg.state == Leg.State.CONFIRMED && leg.answeringReInvite;
            if (send) {
                p.inFlight = true;
            }
        }
        if (send) {
            send(leg, p);
        } else if (later) {
            onGlare(leg, p);
        } else {
            finish(leg, p, null, new GatewayException(ErrorCode.CALL_DOES_NOT_EXIST, "leg " + leg.callId + " ended"));
        }
    }

    /** No final response to our re-INVITE within 64*T1: the dialog is ended (RFC 3261 §14.1). */
    boolean onTimeout(Leg leg, ClientTransaction ct) {
        CSeqHeader cseq = (CSeqHeader) ct.getRequest().getHeader(CSeqHeader.NAME);
        Pending p;
        synchronized (leg) {
            if (!answersReInvite(leg, cseq)) {
                return false;
            }
            p = leg.reInvite;
        }
        if (p != null) {
            endDialog(leg, p, Response.REQUEST_TIMEOUT, "Request Timeout");
        }
        return true;
    }

    /** RFC 3261 §14.1: after 481 or 408 to a re-INVITE, the UAC SHOULD terminate the dialog. */
    private void endDialog(Leg leg, Pending p, int status, String reason) {
        boolean bye;
        synchronized (leg) {
            bye = leg.state == Leg.State.CONFIRMED;
            if (bye) {
                leg.state = Leg.State.ENDING;
            }
        }
        finish(leg, p, null, new GatewayException(ErrorCode.forSipStatus(status), "re-INVITE: " + status + " " + reason));
        if (bye) {
            actions.bye(leg);
            sip.events.failed(leg.callId, status, reason);
        }
    }

    private void finish(Leg leg, Pending p, String answer, GatewayException failure) {
        synchronized (leg) {
            if (leg.reInvite == p) {
                leg.reInvite = null;
            }
            p.inFlight = false;
            if (failure == null) {
                leg.localSdp = p.offer;
                leg.remoteSdp = answer;
            }
        }
        if (failure == null) {
            p.outcome.complete(answer);
        } else {
            p.outcome.completeExceptionally(failure);
        }
    }

    // ---- UAS: the peer's re-INVITE with a new offer ---------------------------------------------

    /**
     * Hands a new offer of the peer to the application and answers {@code st} when it has: 200
     * with the answer, or the failure's status. The caller has set {@link Leg#answeringReInvite}.
     */
    void answerOffer(Leg leg, ServerTransaction st, String offer) {
        sip.events.remoteOffer(leg.callId, offer)
                .whenComplete((answer, failure) -> respond(leg, st, offer, answer, failure));
    }

    private void respond(Leg leg, ServerTransaction st, String offer, String answer, Throwable failure) {
        Request request = st.getRequest();
        boolean accepted = failure == null && answer != null && !answer.isBlank();
        try {
            Response response;
            if (accepted) {
                response = sip.response(Response.OK, request, null);
                response.addHeader(sip.contact(SipContext.transportOf(request)));
                sip.setSdp(response, answer);
                timers.addToAnswer(leg, response);
            } else {
                response = refusal(request, failure);
            }
            synchronized (leg) {
                leg.answeringReInvite = false;
                if (accepted) {
                    leg.remoteSdp = offer;
                    leg.localSdp = answer;
                }
            }
            st.sendResponse(response);
            if (accepted) {
                timers.restart(leg);
            }
        } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
            synchronized (leg) {
                leg.answeringReInvite = false;
            }
            LOG.warn("cannot answer the re-INVITE on {}", leg.callId, e);
        }
    }

    /**
     * The non-2xx for an offer (re-INVITE or UPDATE) the application did not answer. 488 when it refused the offer
     * (RFC 3261 §14.2); when it could not answer now (no browser attached, no answer in time),
     * 500 with Retry-After, the response §14.2 gives for an exchange that cannot proceed yet.
     * Never 408 or 481, after which the peer would end the dialog (§14.1).
     */
    Response refusal(Request request, Throwable failure) throws ParseException, InvalidArgumentException {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        ErrorCode code = cause instanceof GatewayException g ? g.code() : ErrorCode.INTERNAL_ERROR;
        int status = code.sipStatus();
        boolean notNow = status == Response.REQUEST_TIMEOUT || status == Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST
                || status >= 500 || status < 300;
        if (notNow) {
            Response r = sip.response(Response.SERVER_INTERNAL_ERROR, request, null);
            r.addHeader(sip.headerFactory.createRetryAfterHeader(RETRY_AFTER_SECONDS));
            return r;
        }
        Response r = sip.response(status, request, null);
        if (status == Response.NOT_ACCEPTABLE_HERE && cause != null && cause.getMessage() != null) {
            r.addHeader(sip.warning(cause.getMessage()));
        }
        return r;
    }
}
