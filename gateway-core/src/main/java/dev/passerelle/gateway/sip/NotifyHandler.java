package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.GatewayException;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.message.Response;

/**
 * NOTIFY, dispatched by event package. {@code presence}: the subscriptions of
 * {@link Subscriptions}. {@code refer}: the implicit subscription our REFER created (RFC 3515
 * §2.4.4-§2.4.5): each one is answered 200 and reported as {@link SipEvents#transfer} with the
 * status its {@code message/sipfrag} body carries. A NOTIFY of another event package gets 489 Bad
 * Event (RFC 6665 §8.3.2.1: an event package we did not subscribe to); one with no transfer pending, or outside
 * a known dialog, 481 (RFC 6665 §4.1.3: a NOTIFY matching no subscription).
 */
final class NotifyHandler implements RequestHandler {

    private final SipContext sip;
    private final Adoptions adoptions;
    private final Subscriptions subscriptions;

    NotifyHandler(SipContext sip, Adoptions adoptions, Subscriptions subscriptions) {
        this.sip = sip;
        this.adoptions = adoptions;
        this.subscriptions = subscriptions;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        EventHeader event = (EventHeader) in.request.getHeader(EventHeader.NAME);
        // Presence subscriptions have no JAIN-SIP dialog: a presence NOTIFY within a call's dialog
        // belongs to no subscription of ours (489 below, as any package we did not ask for there).
        if (in.dialog() == null && event != null && Subscriptions.EVENT.equalsIgnoreCase(event.getEventType())) {
            subscriptions.onNotify(in);
            return;
        }
        if (event == null || !"refer".equalsIgnoreCase(event.getEventType())) {
            in.respond(Response.BAD_EVENT);
            return;
        }
        Leg leg = in.dialog() != null ? (Leg) in.dialog().getApplicationData() : adoptions.matching(in.request);
        String target = leg == null ? null : referTarget(leg);
        if (target == null) {
            in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return;
        }
        ContentTypeHeader type = (ContentTypeHeader) in.request.getHeader(ContentTypeHeader.NAME);
        if (type == null || !"message".equalsIgnoreCase(type.getContentType())
                || !"sipfrag".equalsIgnoreCase(type.getContentSubType())) {
            in.respond(Response.UNSUPPORTED_MEDIA_TYPE);
            return;
        }
        int status;
        try {
            status = SipFrag.status(SipContext.body(in.request));
        } catch (GatewayException e) {
            in.respond(Response.BAD_REQUEST, e.getMessage());
            return;
        }
        SubscriptionStateHeader state = (SubscriptionStateHeader) in.request.getHeader(SubscriptionStateHeader.NAME);
        boolean terminated = state != null && SubscriptionStateHeader.TERMINATED.equalsIgnoreCase(state.getState());
        // RFC 3515 §2.4.5: a final sipfrag ends the transfer, whatever the subscription says.
        boolean outcome = terminated || status >= 200;
        if (outcome) {
            synchronized (leg) {
                if (target.equals(leg.referTarget)) {
                    leg.referTarget = null;
                }
            }
        }
        in.respond(Response.OK);
        sip.events.transfer(leg.callId, target, status, outcome);
    }

    private static String referTarget(Leg leg) {
        synchronized (leg) {
            return leg.referTarget;
        }
    }
}
