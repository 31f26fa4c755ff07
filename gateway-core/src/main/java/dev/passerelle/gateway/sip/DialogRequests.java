package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.SipDialog;
import gov.nist.javax.sip.header.HeaderExt;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * The two directions between a leg and its {@link SipDialog}: the snapshot of a confirmed leg,
 * and requests within a dialog built from a snapshot alone, on a node that has no JAIN-SIP
 * {@link Dialog} for it (RFC 3261 §12.2.1.1), with this node's Via and Contact.
 */
final class DialogRequests {

    private final SipContext sip;

    DialogRequests(SipContext sip) {
        this.sip = sip;
    }

    /**
     * The leg's dialog once confirmed both ways; empty before that, once it is ending, and while
     * an adoption re-INVITE is unanswered (the snapshot would name a target that may be stale).
     */
    static Optional<SipDialog> snapshot(Leg leg) {
        synchronized (leg) {
            if (leg.state != Leg.State.CONFIRMED) {
                return Optional.empty();
            }
            if (leg.model != null) {
                return leg.adopting() ? Optional.empty() : Optional.of(leg.model);
            }
            Dialog d = leg.dialog;
            List<String> routes = new ArrayList<>();
            Iterator<?> it = d.getRouteSet();
            while (it != null && it.hasNext()) {
                routes.add(((HeaderExt) it.next()).getValue());
            }
            // The RI keeps -1 for a side that has sent no request yet; the snapshot says 0 (none).
            return Optional.of(new SipDialog(d.getCallId().getCallId(), d.getLocalTag(), d.getRemoteTag(),
                    d.getLocalParty().toString(), d.getRemoteParty().toString(),
                    Math.max(0, d.getLocalSeqNumber()), Math.max(0, d.getRemoteSeqNumber()), routes,
                    d.getRemoteTarget().getURI().toString(), leg.transport, leg.localSdp, leg.remoteSdp));
        }
    }

    /** {@code udp} or {@code tcp}, the only transports the gateway listens on. */
    static String transport(SipDialog dialog) {
        String t = dialog.transport().toLowerCase(Locale.ROOT);
        if (!t.equals("udp") && !t.equals("tcp")) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS,
                    "dialog " + dialog.sipCallId() + ": unsupported transport " + dialog.transport());
        }
        return t;
    }

    /**
     * A request within the dialog (RFC 3261 §12.2.1.1): Request-URI the remote target, Route the
     * route set in order, From our party and tag, To theirs, the dialog's Call-ID, CSeq
     * {@code cseq}; a Via of this node whose branch the client transaction fills in, and for
     * INVITE this node's Contact, so that the request is a target refresh towards this node
     * (§12.2, §14). A first route without {@code lr} is a strict router: the RI's router then
     * moves it to the Request-URI and appends the remote target as the last Route when the
     * request is sent ({@code DefaultRouter.fixStrictRouting}), as §12.2.1.1 asks.
     *
     * @throws GatewayException with {@link ErrorCode#INVALID_PARAMS} when the snapshot does not parse
     */
    Request create(SipDialog dialog, String method, long cseq) {
        String transport = transport(dialog);
        try {
            Address local = sip.addressFactory.createAddress(dialog.localParty());
            Address remote = sip.addressFactory.createAddress(dialog.remoteParty());
            List<ViaHeader> vias = new ArrayList<>(List.of(
                    sip.headerFactory.createViaHeader(sip.host, sip.portFor(transport), transport, null)));
            Request request = sip.messageFactory.createRequest(sip.uris.parse(dialog.remoteTarget()), method,
                    sip.headerFactory.createCallIdHeader(dialog.sipCallId()),
                    sip.headerFactory.createCSeqHeader(cseq, method),
                    sip.headerFactory.createFromHeader(local, dialog.localTag()),
                    sip.headerFactory.createToHeader(remote, dialog.remoteTag()),
                    vias, sip.headerFactory.createMaxForwardsHeader(70));
            for (String route : dialog.routeSet()) {
                request.addLast(sip.headerFactory.createHeader("Route", route));
            }
            if (Request.INVITE.equals(method)) {
                request.addHeader(sip.contact(transport));
            }
            if (!Request.ACK.equals(method)) {
                sip.addUserAgent(request);
            }
            return request;
        } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS,
                    "dialog " + dialog.sipCallId() + " cannot be rebuilt: " + e.getMessage(), e);
        }
    }

    /**
     * The ACK of a 2xx to the INVITE numbered {@code cseq} (RFC 3261 §13.2.2.4): a transaction of
     * its own, sent without one, so its Via carries a fresh branch here (§8.1.1.7).
     */
    Request ack(SipDialog dialog, long cseq) {
        Request ack = create(dialog, Request.ACK, cseq);
        try {
            ((ViaHeader) ack.getHeader(ViaHeader.NAME)).setBranch("z9hG4bK" + sip.newTag());
        } catch (ParseException e) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "cannot set the ACK's branch", e);
        }
        return ack;
    }
}
