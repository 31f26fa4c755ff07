package dev.passerelle.gateway.sip;

import javax.sip.header.CallIdHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Response;

/**
 * CANCEL of an inbound INVITE (RFC 3261 §9.2): 200 to the CANCEL, 487 to the INVITE if it is still
 * unanswered, and {@link SipEvents#remoteCancel}.
 */
final class CancelHandler implements RequestHandler {

    private final SipContext sip;
    private final LegActions actions;

    CancelHandler(SipContext sip, LegActions actions) {
        this.sip = sip;
        this.actions = actions;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        String branch = ((ViaHeader) in.request.getHeader(ViaHeader.NAME)).getBranch();
        String sipCallId = ((CallIdHeader) in.request.getHeader(CallIdHeader.NAME)).getCallId();
        Leg leg = sip.legs.bySipCallId(sipCallId)
                .filter(l -> l.direction == Leg.Direction.INBOUND)
                .filter(l -> l.inviteServerTransaction != null && branch != null
                        && branch.equalsIgnoreCase(l.inviteServerTransaction.getBranchId()))
                .orElse(null);
        if (leg == null) {
            // RFC 3261 §9.2: no matching transaction.
            in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return;
        }
        in.respond(Response.OK);
        boolean cancelled;
        synchronized (leg) {
            cancelled = leg.state == Leg.State.INVITED || leg.state == Leg.State.RINGING;
            if (cancelled) {
                leg.state = Leg.State.ENDED;
            }
        }
        if (cancelled) {
            actions.terminatePendingInvite(leg);
            sip.legs.remove(leg);
            sip.events.remoteCancel(leg.callId);
        }
    }
}
