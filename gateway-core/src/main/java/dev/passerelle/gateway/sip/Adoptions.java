package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.SipDialog;
import java.text.ParseException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Legs this node holds from a {@link SipDialog} snapshot only, the JAIN-SIP dialog having lived on
 * another node: adoption by a re-INVITE that makes this node the phone's target (RFC 3261 §14, a
 * target refresh), BYE from the model, and the matching of the phone's requests and of responses
 * that carry no dialog. An adopted leg is registered in {@link Leg.State#CONFIRMED} from the start,
 * so that the application can end it like any established leg while the re-INVITE is out.
 */
final class Adoptions {

    private static final Logger LOG = LoggerFactory.getLogger(Adoptions.class);

    private final SipContext sip;
    private final DialogRequests requests;

    Adoptions(SipContext sip) {
        this.sip = sip;
        this.requests = new DialogRequests(sip);
    }

    /**
     * Registers leg {@code callId} from {@code dialog} and sends the re-INVITE carrying the
     * dialog's local SDP unchanged (RFC 3264 §8: the same session, the same o= version). Every
     * failure completes the stage exceptionally; it never reaches {@link SipEvents}.
     */
    CompletionStage<Void> adopt(String callId, SipDialog dialog) {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(dialog, "dialog");
        if (dialog.localSdp() == null) {
            return CompletableFuture.failedStage(new GatewayException(ErrorCode.INVALID_PARAMS,
                    "dialog " + dialog.sipCallId() + " has no local SDP to offer again"));
        }
        long cseq = dialog.localCseq() + 1;
        Request reInvite;
        try {
            reInvite = requests.create(dialog, Request.INVITE, cseq);
            sip.addAllow(reInvite);
            sip.setSdp(reInvite, dialog.localSdp());
        } catch (GatewayException e) {
            return CompletableFuture.failedStage(e);
        } catch (ParseException e) {
            return CompletableFuture.failedStage(new GatewayException(ErrorCode.INVALID_PARAMS,
                    "dialog " + dialog.sipCallId() + " cannot be rebuilt: " + e.getMessage(), e));
        }
        Leg leg = new Leg(callId, Leg.Direction.ADOPTED, dialog.sipCallId(), Leg.State.CONFIRMED);
        leg.model = dialog.withLocalCseq(cseq);
        leg.adoptionCseq = cseq;
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        leg.adoption = outcome;
        if (!sip.legs.add(leg)) {
            return CompletableFuture.failedStage(new GatewayException(ErrorCode.BAD_REQUEST,
                    "call id already in use: " + callId));
        }
        // Whatever ends the leg first (BYE, stop, a failure below) also ends the adoption, once the
        // leg has left the registry, so that the call id is free when the stage fails.
        leg.ended().whenComplete((v, e) -> {
            GatewayException failure;
            synchronized (leg) {
                failure = leg.adoptionFailure;
            }
            outcome.completeExceptionally(failure != null ? failure : new GatewayException(
                    ErrorCode.CALL_DOES_NOT_EXIST, "leg " + callId + " ended before the re-INVITE was answered"));
        });
        try {
            sip.clientTransaction(reInvite, leg).sendRequest();
        } catch (SipException | RuntimeException e) {
            fail(leg, new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "cannot send the re-INVITE of " + callId + " to " + dialog.remoteTarget() + ": "
                            + e.getMessage(), e));
        }
        return outcome.minimalCompletionStage();
    }

    /** A final response to the adoption re-INVITE (provisional ones change nothing here). */
    void onReInviteResponse(Leg leg, Response response) {
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        if (status < 300) {
            onAccepted(leg, response);
        } else if (status == Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST || status == Response.REQUEST_TIMEOUT) {
            // RFC 3261 §12.2.1.2: the dialog is gone; the phone has nothing left to hang up.
            gone(leg, ErrorCode.forSipStatus(status),
                    "re-INVITE answered " + status + " " + response.getReasonPhrase() + ": the dialog is gone");
        } else {
            refused(leg, status, response.getReasonPhrase());
        }
    }

    /** No final response to the adoption re-INVITE within 64*T1 (RFC 3261 §17.1.1.2 Timer B). */
    void onReInviteTimeout(Leg leg) {
        gone(leg, ErrorCode.TIMEOUT, "no answer to the re-INVITE: the dialog is taken as gone");
    }

    /**
     * A response the stack matched to no transaction and no dialog: when it is a retransmitted 2xx
     * of an adoption re-INVITE, its ACK goes again (RFC 3261 §13.2.2.4). True when it was one.
     */
    boolean onStrayResponse(Response response) {
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        CallIdHeader callId = (CallIdHeader) response.getHeader(CallIdHeader.NAME);
        if (response.getStatusCode() / 100 != 2 || cseq == null || callId == null
                || !Request.INVITE.equals(cseq.getMethod())) {
            return false;
        }
        Leg leg = sip.legs.bySipCallId(callId.getCallId()).orElse(null);
        if (leg == null) {
            return false;
        }
        Request ack;
        synchronized (leg) {
            ack = leg.model != null && leg.adoptionCseq == cseq.getSeqNumber() ? leg.adoptionAck : null;
        }
        if (ack == null) {
            return false;
        }
        sendAck(leg, ack);
        return true;
    }

    /**
     * Ends a dialog nobody adopted with one BYE built from the snapshot (RFC 3261 §15.1.1). The leg
     * lives only as long as that BYE's transaction, so that a BYE crossing it is answered 200.
     *
     * @throws GatewayException {@link ErrorCode#INVALID_PARAMS} for a snapshot that does not parse,
     *     {@link ErrorCode#BAD_REQUEST} when this node holds a leg of that call id
     */
    void end(String callId, SipDialog dialog) {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(dialog, "dialog");
        long cseq = dialog.localCseq() + 1;
        Request bye = requests.create(dialog, Request.BYE, cseq);
        Leg leg = new Leg(callId, Leg.Direction.ADOPTED, dialog.sipCallId(), Leg.State.ENDING);
        leg.model = dialog.withLocalCseq(cseq);
        if (!sip.legs.add(leg)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "call id already in use: " + callId);
        }
        try {
            sip.clientTransaction(bye, leg).sendRequest();
        } catch (SipException | RuntimeException e) {
            LOG.warn("BYE ending {} (Call-ID {}) could not be sent to {}", callId, dialog.sipCallId(),
                    dialog.remoteTarget(), e);
            sip.legs.remove(leg);
        }
    }

    /** BYE on an adopted leg, from its model with the next CSeq (RFC 3261 §15.1.1, §12.2.1.1). */
    void sendBye(Leg leg) throws SipException {
        Request bye;
        synchronized (leg) {
            long cseq = leg.model.localCseq() + 1;
            bye = requests.create(leg.model, Request.BYE, cseq);
            leg.model = leg.model.withLocalCseq(cseq);
        }
        sip.clientTransaction(bye, leg).sendRequest();
    }

    /**
     * A request other than BYE within an adopted leg's dialog, from its model with the next CSeq
     * (RFC 3261 §12.2.1.1); the caller sends it in a client transaction of its own.
     */
    Request inDialog(Leg leg, String method) {
        synchronized (leg) {
            long cseq = leg.model.localCseq() + 1;
            Request request = requests.create(leg.model, method, cseq);
            leg.model = leg.model.withLocalCseq(cseq);
            return request;
        }
    }

    /**
     * The leg a request within a dialog belongs to: the JAIN-SIP dialog's, or else the adopted
     * leg it matches (with automatic dialog support off, the RI hands such requests over without
     * a dialog). When there is none the request is answered 481 (RFC 3261 §12.2.2), and on an
     * adopted leg a CSeq lower than the last one is answered 500; both give null.
     */
    Leg inDialog(IncomingRequest in) {
        Leg leg = in.dialog() != null ? (Leg) in.dialog().getApplicationData() : matching(in.request);
        if (leg == null) {
            in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return null;
        }
        if (leg.model != null && !inOrder(leg, in.request)) {
            in.respond(Response.SERVER_INTERNAL_ERROR, "CSeq out of order");
            return null;
        }
        return leg;
    }

    /**
     * The adopted leg a request from the phone belongs to: same Call-ID, its From tag our remote
     * tag and its To tag our local tag (RFC 3261 §12.2.2); null when there is none.
     */
    Leg matching(Request request) {
        String sipCallId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        String fromTag = ((FromHeader) request.getHeader(FromHeader.NAME)).getTag();
        String toTag = ((ToHeader) request.getHeader(ToHeader.NAME)).getTag();
        Leg leg = sip.legs.bySipCallId(sipCallId).orElse(null);
        if (leg == null || fromTag == null || toTag == null) {
            return null;
        }
        synchronized (leg) {
            return leg.model != null && fromTag.equalsIgnoreCase(leg.model.remoteTag())
                    && toTag.equalsIgnoreCase(leg.model.localTag()) ? leg : null;
        }
    }

    /**
     * Records the CSeq of a request from the phone on an adopted leg; false when it is lower than
     * the last one, which §12.2.2 rejects with 500 as out of order.
     */
    boolean inOrder(Leg leg, Request request) {
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        synchronized (leg) {
            if (leg.model.remoteCseq() > 0 && cseq < leg.model.remoteCseq()) {
                return false;
            }
            leg.model = leg.model.withRemoteCseq(cseq);
            return true;
        }
    }

    private void onAccepted(Leg leg, Response response) {
        ContactHeader contact = (ContactHeader) response.getHeader(ContactHeader.NAME);
        Request ack;
        boolean adopted;
        synchronized (leg) {
            if (leg.adoptionAck != null) {
                ack = leg.adoptionAck;
                adopted = false;
            } else {
                // RFC 3261 §12.2.1.2: the 2xx's Contact is the new remote target; the route set stays.
                SipDialog model = leg.model;
                Address target = contact == null ? null : contact.getAddress();
                if (target != null) {
                    model = model.withRemoteTarget(target.getURI().toString());
                }
                String sdp = SipContext.body(response);
                if (sdp != null) {
                    model = model.withRemoteSdp(sdp);
                }
                leg.model = model;
                ack = requests.ack(model, leg.adoptionCseq);
                leg.adoptionAck = ack;
                adopted = leg.state == Leg.State.CONFIRMED;
            }
        }
        sendAck(leg, ack);
        if (adopted) {
            leg.adoption.complete(null);
        } else {
            leg.adoption.completeExceptionally(new GatewayException(ErrorCode.CALL_DOES_NOT_EXIST,
                    "leg " + leg.callId + " was ended while the re-INVITE was out"));
        }
    }

    private void sendAck(Leg leg, Request ack) {
        try {
            sip.provider.sendRequest((Request) ack.clone());
        } catch (SipException | RuntimeException e) {
            LOG.warn("ACK of the re-INVITE of {} could not be sent", leg.callId, e);
        }
    }

    /** The phone knows no such dialog any more: the leg ends without BYE. */
    private void gone(Leg leg, ErrorCode code, String message) {
        fail(leg, new GatewayException(code, "leg " + leg.callId + ": " + message));
    }

    /** Removes the leg; its end fails the adoption with {@code failure}. */
    private void fail(Leg leg, GatewayException failure) {
        synchronized (leg) {
            leg.adoptionFailure = failure;
        }
        sip.legs.remove(leg);
    }

    /**
     * The phone keeps the dialog but still targets the dead node: it is ended with a BYE from the
     * model, which now goes with the re-INVITE's CSeq + 1.
     */
    private void refused(Leg leg, int status, String reason) {
        leg.adoption.completeExceptionally(new GatewayException(ErrorCode.forSipStatus(status),
                "leg " + leg.callId + ": re-INVITE refused " + status + " " + reason + "; ended with BYE"));
        boolean bye;
        synchronized (leg) {
            bye = leg.state == Leg.State.CONFIRMED;
            if (bye) {
                leg.state = Leg.State.ENDING;
            }
        }
        if (bye) {
            try {
                sendBye(leg);
            } catch (SipException | RuntimeException e) {
                LOG.warn("BYE after the refused re-INVITE of {} failed", leg.callId, e);
                sip.legs.remove(leg);
            }
        }
    }
}
