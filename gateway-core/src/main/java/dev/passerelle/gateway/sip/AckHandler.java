package dev.passerelle.gateway.sip;

import javax.sip.Dialog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ACK for our 2xx: the inbound leg is confirmed (RFC 3261 §13.3.1.4). ACKs are never answered;
 * the ACK of a non-2xx never gets here, the server transaction absorbs it (§17.2.1).
 */
final class AckHandler implements RequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AckHandler.class);

    private final SipContext sip;
    private final SessionTimers timers;

    AckHandler(SipContext sip, SessionTimers timers) {
        this.sip = sip;
        this.timers = timers;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        Dialog dialog = in.dialog();
        Leg leg = dialog == null ? null : (Leg) dialog.getApplicationData();
        if (leg == null) {
            LOG.debug("ACK outside any known dialog dropped: {}", in.request.getRequestURI());
            return;
        }
        boolean confirmed = false;
        boolean bye = false;
        synchronized (leg) {
            String answer = SipContext.body(in.request);
            if (leg.answerInAck && leg.state == Leg.State.CONFIRMED) {
                // RFC 3261 §14.2: our 2xx to a re-INVITE without SDP offered the session in force;
                // the ACK's answer is the peer's session from now on.
                leg.answerInAck = false;
                if (answer != null) {
                    leg.remoteSdp = answer;
                }
            }
            if (leg.state == Leg.State.ANSWERED) {
                if (leg.byeAfterAck) {
                    leg.state = Leg.State.ENDING;
                    bye = true;
                } else {
                    leg.state = Leg.State.CONFIRMED;
                    confirmed = true;
                }
            }
        }
        if (bye) {
            try {
                sip.sendBye(leg);
            } catch (Exception e) {
                LOG.warn("BYE after ACK on {} failed", leg.callId, e);
                sip.legs.remove(leg);
            }
        } else if (confirmed) {
            // RFC 4028 §10: the session interval runs from the 2xx that set it; the ACK is close.
            timers.restart(leg);
            sip.events.confirmed(leg.callId);
        }
    }
}
