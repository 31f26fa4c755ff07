package dev.passerelle.gateway.sip;

import javax.sip.Dialog;
import javax.sip.header.RAckHeader;
import javax.sip.message.Response;

/**
 * PRACK for our reliable 18x (RFC 3262 §3): 200 when its RAck names the 18x we wait for, and a
 * 2xx held back for it goes out; 481 when it matches no leg or no unacknowledged 18x (§7.2).
 */
final class PrackHandler implements RequestHandler {

    private final LegActions actions;

    PrackHandler(LegActions actions) {
        this.actions = actions;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        Dialog dialog = in.dialog();
        Leg leg = dialog == null ? null : (Leg) dialog.getApplicationData();
        RAckHeader rack = (RAckHeader) in.request.getHeader(RAckHeader.NAME);
        if (leg == null || rack == null || leg.direction != Leg.Direction.INBOUND) {
            in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return;
        }
        synchronized (leg) {
            if (!leg.awaitingPrack || (leg.pendingRSeq >= 0 && leg.pendingRSeq != rack.getRSeqNumber())) {
                in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
        }
        // The PRACK's 200 before the held 2xx of the INVITE, as the peer expects them.
        in.respond(Response.OK);
        actions.onPrack(leg, rack.getRSeqNumber());
    }
}
