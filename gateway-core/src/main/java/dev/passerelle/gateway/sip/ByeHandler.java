package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import javax.sip.message.Response;

/** BYE within a dialog (RFC 3261 §15.1.2): 200, the leg ends, the application hears of it. */
final class ByeHandler implements RequestHandler {

    private final SipContext sip;
    private final LegActions actions;
    private final Adoptions adoptions;

    ByeHandler(SipContext sip, LegActions actions, Adoptions adoptions) {
        this.sip = sip;
        this.actions = actions;
        this.adoptions = adoptions;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        Leg leg = adoptions.inDialog(in);
        if (leg == null) {
            return;
        }
        Leg.State before;
        synchronized (leg) {
            before = leg.state;
            if (before == Leg.State.ENDED) {
                in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
            if (before != Leg.State.ENDING) {
                leg.state = Leg.State.ENDED;
            }
        }
        in.respond(Response.OK);
        switch (before) {
            case ENDING -> {
                // Both sides hung up at once: our own BYE transaction ends the leg.
            }
            case INVITED, RINGING -> {
                // RFC 3261 §15.1.2: the pending INVITE gets 487; for the application it is a cancel.
                actions.terminatePendingInvite(leg);
                sip.legs.remove(leg);
                sip.events.remoteCancel(leg.callId);
            }
            default -> {
                // The phone hanging up while the adoption re-INVITE is out fails the adoption
                // instead: its stage is the one outcome the application hears of.
                boolean report = leg.adoption == null || !leg.adoption.completeExceptionally(
                        new GatewayException(ErrorCode.CALL_DOES_NOT_EXIST,
                                "leg " + leg.callId + ": the phone hung up during the adoption"));
                sip.legs.remove(leg);
                if (report) {
                    sip.events.remoteBye(leg.callId);
                }
            }
        }
    }
}
