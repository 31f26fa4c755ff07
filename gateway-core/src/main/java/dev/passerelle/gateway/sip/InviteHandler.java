package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import gov.nist.javax.sip.RequestEventExt;
import java.util.ListIterator;
import java.util.Locale;
import java.util.UUID;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.AcceptHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RequireHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INVITE: a new inbound leg outside any dialog, or a re-INVITE within one. A new INVITE gets
 * 100 Trying and becomes {@link SipEvents#incomingInvite}; what the application answers goes out
 * through {@link LegActions}.
 */
final class InviteHandler implements RequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(InviteHandler.class);

    private final SipContext sip;
    private final LegActions actions;
    private final RequestValidator validator;
    private final Adoptions adoptions;
    private final SessionTimers timers;

    InviteHandler(SipContext sip, LegActions actions, RequestValidator validator, Adoptions adoptions,
            SessionTimers timers) {
        this.sip = sip;
        this.actions = actions;
        this.validator = validator;
        this.adoptions = adoptions;
        this.timers = timers;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        Request request = in.request;
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        if (to.getTag() != null) {
            reInvite(in);
            return;
        }
        MaxForwardsHeader mf = (MaxForwardsHeader) request.getHeader(MaxForwardsHeader.NAME);
        if (mf != null && mf.getMaxForwards() == 0) {
            // The B2BUA would extend the request path with a new leg, so it applies a proxy's loop
            // guard (RFC 3261 §16.3 item 2) to INVITE.
            in.respond(Response.TOO_MANY_HOPS);
            return;
        }
        if (!acceptsSdp(request)) {
            // RFC 3261 §21.4.7: our answer would be SDP, which the caller does not accept.
            Response r = sip.response(Response.NOT_ACCEPTABLE, request, null);
            r.addHeader(validator.accept());
            in.send(r);
            return;
        }
        Response tooSmall = timers.tooSmall(request);
        if (tooSmall != null) {
            in.send(tooSmall);
            return;
        }
        ServerTransaction st = in.serverTransaction();
        if (st == null) {
            return;
        }
        // RFC 3261 §17.2.1: 100 Trying at once, so the caller stops retransmitting.
        in.send(sip.response(Response.TRYING, request, null));
        Dialog dialog = sip.provider.getNewDialog(st);

        String sipCallId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        Leg leg = new Leg(UUID.randomUUID().toString(), Leg.Direction.INBOUND, sipCallId, Leg.State.INVITED);
        leg.dialog = dialog;
        leg.inviteServerTransaction = st;
        leg.localTag = sip.newTag();
        leg.transport = SipContext.transportOf(request);
        leg.remoteSdp = SipContext.body(request);
        // RFC 3262 §3: our 18x go reliably only when the caller requires it; Supported alone is
        // not enough reason to make every ringing wait for a PRACK.
        leg.reliableProvisionals = SessionTimers.lists(request, RequireHeader.NAME, SessionTimers.RELIABLE);
        timers.negotiateAsUas(leg, request);
        dialog.setApplicationData(leg);
        st.setApplicationData(leg);
        sip.legs.add(leg);
        in.handOver();

        InboundInvite invite = inboundInvite(leg, in);
        try {
            sip.events.incomingInvite(invite);
        } catch (GatewayException e) {
            if (e.code() == ErrorCode.NOT_ACCEPTABLE_HERE) {
                actions.rejectOffer(leg, e.getMessage());
            } else {
                actions.rejectInbound(leg, e.code().sipStatus(), e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("incomingInvite for {} threw", leg.callId, e);
            actions.rejectInbound(leg, Response.SERVER_INTERNAL_ERROR, null);
        }
    }

    private void reInvite(IncomingRequest in) throws Exception {
        Leg leg = adoptions.inDialog(in);
        if (leg == null) {
            return;
        }
        String offer = SipContext.body(in.request);
        Response tooSmall = leg.model == null ? timers.tooSmall(in.request) : null;
        if (tooSmall != null) {
            in.send(tooSmall);
            return;
        }
        Response response;
        boolean newOffer = false;
        synchronized (leg) {
            if (leg.remoteOfferPending) {
                // RFC 3261 §14.2: their UPDATE's offer still waits for our answer.
                in.send(sip.offerStillOpen(in.request));
                return;
            }
            if (leg.state != Leg.State.CONFIRMED || leg.adopting() || leg.answeringReInvite
                    || (leg.reInvite != null && leg.reInvite.inFlight) || Request.INVITE.equals(leg.refreshMethod)) {
                // RFC 3261 §14.2: a re-INVITE while one of ours (a re-INVITE of the application,
                // our session refresh or our adoption re-INVITE) is unfinished; the peer backs off
                // (§14.1). A second one of theirs before our final response to the first mostly
                // never gets here: the RI's dialog layer answers it 491 with Retry-After.
                in.respond(Response.REQUEST_PENDING);
                return;
            }
            String remoteSdp = leg.model != null ? leg.model.remoteSdp() : leg.remoteSdp;
            String localSdp = leg.model != null ? leg.model.localSdp() : leg.localSdp;
            if (offer != null && !offer.equals(remoteSdp)) {
                if (leg.model != null) {
                    // A leg taken over from another node is not re-negotiated: the session in
                    // force stays as it was (RFC 3261 §14.2).
                    in.respond(Response.NOT_ACCEPTABLE_HERE);
                    return;
                }
                leg.answeringReInvite = true;
                newOffer = true;
                response = null;
            } else {
                // The same session again (RFC 4028 §7 refreshes look like this), or a re-INVITE
                // without SDP: our 2xx offers the session in force and the ACK answers (§14.2).
                response = sip.response(Response.OK, in.request, null);
                response.addHeader(sip.contact(SipContext.transportOf(in.request)));
                sip.setSdp(response, localSdp);
                leg.answerInAck = offer == null && leg.model == null;
                if (leg.model == null) {
                    timers.negotiateAsUas(leg, in.request);
                    timers.addToAnswer(leg, response);
                }
                ContactHeader contact = (ContactHeader) in.request.getHeader(ContactHeader.NAME);
                if (leg.model != null && contact != null) {
                    // RFC 3261 §12.2.2: a target refresh replaces the remote target. The RI does this
                    // for legs with a JAIN-SIP dialog; an adopted leg keeps it in its model.
                    leg.model = leg.model.withRemoteTarget(contact.getAddress().getURI().toString());
                }
            }
        }
        if (!newOffer) {
            in.send(response);
            timers.restart(leg);
            return;
        }
        // A new offer refreshes the session too (RFC 4028 §7); its 2xx carries the interval.
        timers.negotiateAsUas(leg, in.request);
        ServerTransaction st = in.serverTransaction();
        if (st == null) {
            synchronized (leg) {
                leg.answeringReInvite = false;
            }
            return;
        }
        // RFC 3261 §17.2.1: the browser may take longer than 200 ms to answer.
        in.send(sip.response(Response.TRYING, in.request, null));
        in.handOver();
        actions.reInvites.answerOffer(leg, st, offer);
    }

    private static boolean acceptsSdp(Request request) {
        ListIterator<?> it = request.getHeaders(AcceptHeader.NAME);
        if (it == null || !it.hasNext()) {
            return true;
        }
        while (it.hasNext()) {
            AcceptHeader a = (AcceptHeader) it.next();
            String type = a.getContentType() == null ? "" : a.getContentType().toLowerCase(Locale.ROOT);
            String sub = a.getContentSubType() == null ? "" : a.getContentSubType().toLowerCase(Locale.ROOT);
            if ((type.equals("application") || type.equals("*")) && (sub.equals("sdp") || sub.equals("*"))) {
                return true;
            }
        }
        return false;
    }

    private InboundInvite inboundInvite(Leg leg, IncomingRequest in) {
        Request request = in.request;
        String user = null;
        String host = null;
        if (request.getRequestURI() instanceof SipURI uri) {
            user = uri.getUser();
            host = uri.getHost();
        }
        Address from = ((FromHeader) request.getHeader(FromHeader.NAME)).getAddress();
        String source = in.event instanceof RequestEventExt ext ? ext.getRemoteIpAddress() : null;
        return new InboundInvite(leg.callId, user, host, from.getURI().toString(), from.getDisplayName(),
                leg.remoteSdp, sip.profile.shown(request, source));
    }
}
