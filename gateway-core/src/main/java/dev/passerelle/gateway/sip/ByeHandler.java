package dev.passerelle.gateway.sip;

import javax.sip.Dialog;
import javax.sip.message.Response;

/** BYE within a dialog (RFC 3261 §15.1.2): 200, the leg ends, the application hears of it. */
final class ByeHandler implements RequestHandler {

    private final SipContext sip;
    private final LegActions actions;

    ByeHandler(SipContext sip, LegActions actions) {
        this.sip = sip;
        this.actions = actions;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        Dialog dialog = in.dialog();
        Leg leg = dialog == null ? null : (Leg) dialog.getApplicationData();
        if (leg == null) {
            // RFC 3261 §15.1.2: a BYE matching no dialog.
            in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
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
                sip.legs.remove(leg);
                sip.events.remoteBye(leg.callId);
            }
        }
    }
}
