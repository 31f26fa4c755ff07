package dev.passerelle.gateway.sip;

import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.extensions.ReferredByHeader;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.HeaderAddress;
import javax.sip.header.ReferToHeader;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * REFER within an established dialog (RFC 3515): the peer asks the web user to call
 * {@code Refer-To}. Accepted with 202 and at once a NOTIFY {@code SIP/2.0 100 Trying} (RFC 3515
 * §2.4.2, §2.4.4); the application hears {@link SipEvents#referred} and reports the new call's
 * progress with {@link SipService#notifyReferrer}. When it reports nothing within 64*T1, the
 * subscription ends with {@code SIP/2.0 603 Declined}. Refused: no Refer-To or more than one
 * (400, §2.4.1), a Refer-To other than sip: or tel: (416, RFC 3261 §8.2.2.1), a Refer-To with
 * Replaces, i.e. attended transfer (501: not implemented), a second REFER while one is under way
 * (491), a REFER outside a known dialog (481).
 */
final class ReferHandler implements RequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ReferHandler.class);

    private final SipContext sip;
    private final LegActions actions;
    private final Adoptions adoptions;

    ReferHandler(SipContext sip, LegActions actions, Adoptions adoptions) {
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
        var referTos = in.request.getHeaders(ReferToHeader.NAME);
        ReferToHeader referTo = referTos != null && referTos.hasNext() ? (ReferToHeader) referTos.next() : null;
        if (referTo == null || referTos.hasNext()) {
            in.respond(Response.BAD_REQUEST, "exactly one Refer-To is required");
            return;
        }
        URI target = (URI) referTo.getAddress().getURI().clone();
        String scheme = target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("tel")) {
            in.respond(Response.UNSUPPORTED_URI_SCHEME);
            return;
        }
        if (target instanceof SipURI sipTarget && sipTarget.getHeader("Replaces") != null) {
            in.respond(Response.NOT_IMPLEMENTED, "attended transfer (Replaces) is not supported");
            return;
        }
        if (target instanceof SipURI sipTarget) {
            // Header parameters of a Refer-To name headers for the new request (RFC 3515 §2.1);
            // the web user's new call carries none of them.
            ((SipUri) sipTarget).removeHeaders();
        }
        synchronized (leg) {
            if (leg.state != Leg.State.CONFIRMED) {
                in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
            if (leg.referral) {
                in.respond(Response.REQUEST_PENDING);
                return;
            }
            leg.referral = true;
            leg.referralReported = false;
        }
        in.respond(Response.ACCEPTED);
        actions.sendReferNotify(leg, Response.TRYING, "Trying");
        String referredBy = referredBy(in);
        sip.timers.schedule(() -> {
            if (actions.referrerWaiting(leg)) {
                LOG.info("leg {}: the referred call was not started in time", leg.callId);
                actions.sendReferNotify(leg, Response.DECLINE, "Declined");
            }
        }, sip.timer64T1Millis(), TimeUnit.MILLISECONDS);
        sip.events.referred(leg.callId, target.toString(), referredBy);
    }

    /** The URI of Referred-By (RFC 3892), as the RI's parser read it; null when absent. */
    private static String referredBy(IncomingRequest in) {
        return in.request.getHeader(ReferredByHeader.NAME) instanceof HeaderAddress h && h.getAddress() != null
                ? h.getAddress().getURI().toString() : null;
    }
}
