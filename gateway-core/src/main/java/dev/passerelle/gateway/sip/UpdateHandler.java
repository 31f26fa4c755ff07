package dev.passerelle.gateway.sip;

import java.util.concurrent.CompletionException;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UPDATE within an early or confirmed dialog (RFC 3311). Without SDP, or with the session in
 * force, it is a session refresh: 200 (with our SDP when it carried one) and, on a confirmed leg,
 * the session timer it negotiates (RFC 4028 §9). A new offer on a confirmed leg goes to {@link
 * SipEvents#remoteOffer}: 200 with the answer, or the failure's SIP status. A new offer while
 * ours is outstanding gets 491, while their previous one is, 500 with Retry-After (RFC 3311
 * §5.2). In an early dialog the INVITE's own
 * offer is still open (the gateway answers it in the 2xx, and takes no answer from a 18x): a new
 * offer gets 491 on an outbound leg and 500 with Retry-After on an inbound one (§5.2).
 */
final class UpdateHandler implements RequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateHandler.class);

    private final SipContext sip;
    private final Adoptions adoptions;
    private final SessionTimers timers;
    private final ReInvites reInvites;

    UpdateHandler(SipContext sip, Adoptions adoptions, SessionTimers timers, ReInvites reInvites) {
        this.sip = sip;
        this.adoptions = adoptions;
        this.timers = timers;
        this.reInvites = reInvites;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        Leg leg = adoptions.inDialog(in);
        if (leg == null) {
            return;
        }
        Response tooSmall = leg.model == null ? timers.tooSmall(in.request) : null;
        if (tooSmall != null) {
            in.send(tooSmall);
            return;
        }
        String offer = SipContext.body(in.request);
        Response response;
        boolean confirmed;
        synchronized (leg) {
            confirmed = leg.state == Leg.State.CONFIRMED;
            boolean early = switch (leg.state) {
                case INVITED, RINGING, ANSWERED, PROCEEDING -> true;
                default -> false;
            };
            if (!confirmed && !early) {
                in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
            String remoteSdp = leg.model != null ? leg.model.remoteSdp() : leg.remoteSdp;
            String localSdp = leg.model != null ? leg.model.localSdp() : leg.localSdp;
            boolean newOffer = offer != null && !offer.equals(remoteSdp);
            if (newOffer && !confirmed) {
                // RFC 3311 §5.2: the INVITE's offer is still open. Ours (outbound leg) waits for
                // its answer: 491; theirs (inbound leg) waits for ours: 500 with Retry-After.
                // Sent without a server transaction: the RI ends an early dialog on any final
                // non-2xx sent through one of its transactions, and the call would then lose its ACK.
                Response r = leg.direction == Leg.Direction.INBOUND
                        ? sip.offerStillOpen(in.request)
                        : sip.response(Response.REQUEST_PENDING, in.request, null);
                in.handOver();
                sip.provider.sendResponse(r);
                return;
            }
            if (newOffer && (leg.remoteOfferPending || leg.answeringReInvite)) {
                // RFC 3311 §5.2: their previous offer still waits for our answer.
                in.send(sip.offerStillOpen(in.request));
                return;
            }
            if (newOffer && (leg.adopting() || Request.INVITE.equals(leg.refreshMethod)
                    || leg.reInvite != null && leg.reInvite.inFlight)) {
                // RFC 3311 §5.2: our own offer (adoption, refresh or application re-INVITE) waits
                // for its answer.
                in.respond(Response.REQUEST_PENDING);
                return;
            }
            if (newOffer) {
                leg.remoteOfferPending = true;
                response = null;
            } else {
                response = ok(in, leg, confirmed, offer != null ? localSdp : null);
            }
        }
        if (response != null) {
            in.send(response);
            if (confirmed) {
                timers.restart(leg);
            }
            return;
        }
        ServerTransaction st = in.serverTransaction();
        in.handOver();
        sip.events.remoteOffer(leg.callId, offer).whenComplete((answer, error) ->
                answerOffer(in, st, leg, offer, answer, error));
    }

    private void answerOffer(IncomingRequest in, ServerTransaction st, Leg leg, String offer, String answer,
            Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        try {
            Response response;
            synchronized (leg) {
                leg.remoteOfferPending = false;
                if (cause == null && answer != null && leg.state == Leg.State.CONFIRMED) {
                    leg.remoteSdp = offer;
                    leg.localSdp = answer;
                    response = ok(in, leg, true, answer);
                } else {
                    response = reInvites.refusal(in.request, error);
                }
            }
            if (st != null) {
                st.sendResponse(response);
            }
            if (response.getStatusCode() < 300) {
                timers.restart(leg);
            }
        } catch (Exception e) {
            LOG.warn("cannot answer the UPDATE of {}", leg.callId, e);
        }
    }

    /** 200 to the UPDATE, with {@code sdp} when not null, and the session timer it negotiates. */
    private Response ok(IncomingRequest in, Leg leg, boolean confirmed, String sdp) throws Exception {
        Response response = sip.response(Response.OK, in.request, null);
        response.addHeader(sip.contact(SipContext.transportOf(in.request)));
        if (sdp != null) {
            sip.setSdp(response, sdp);
        }
        if (confirmed && leg.model == null) {
            timers.negotiateAsUas(leg, in.request);
            timers.addToAnswer(leg, response);
        }
        return response;
    }
}
