package dev.passerelle.gateway.sip;

import gov.nist.javax.sip.ResponseEventExt;
import gov.nist.javax.sip.address.SipUri;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.address.URI;
import javax.sip.header.ContactHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.RSeqHeader;
import javax.sip.header.RequireHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Responses to the gateway's own requests: INVITE (first, re-INVITE, adoption re-INVITE or session
 * refresh), UPDATE (session refresh), BYE, CANCEL, PRACK, INFO, REFER, REGISTER, MESSAGE, SUBSCRIBE
 * and PUBLISH.
 */
final class ResponseHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ResponseHandler.class);

    private final SipContext sip;
    private final LegActions actions;
    private final Adoptions adoptions;
    private final Registrations registrations;
    private final Subscriptions subscriptions;
    private final Publications publications;
    private final SessionTimers timers;
    private final MessageSender messages;

    ResponseHandler(SipContext sip, LegActions actions, Adoptions adoptions, Registrations registrations,
            Subscriptions subscriptions, Publications publications, SessionTimers timers, MessageSender messages) {
        this.messages = messages;
        this.subscriptions = subscriptions;
        this.publications = publications;
        this.sip = sip;
        this.actions = actions;
        this.adoptions = adoptions;
        this.registrations = registrations;
        this.timers = timers;
    }

    void handle(ResponseEvent event) throws Exception {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        ClientTransaction ct = event.getClientTransaction();
        if (ct != null && ct.getApplicationData() instanceof Registrations.Registration reg) {
            registrations.onResponse(reg, event);
            return;
        }
        if (ct != null && ct.getApplicationData() instanceof MessageSender.Pending message) {
            messages.onResponse(message, ct.getRequest(), response);
            return;
        }
        if (ct != null && ct.getApplicationData() instanceof Subscriptions.Subscription sub) {
            subscriptions.onResponse(sub, ct, response);
            return;
        }
        if (ct != null && ct.getApplicationData() instanceof Publications.Publication pub) {
            publications.onResponse(pub, ct, response);
            return;
        }
        Dialog dialog = event.getDialog();
        Leg leg = ct != null ? (Leg) ct.getApplicationData()
                : dialog != null ? (Leg) dialog.getApplicationData() : null;
        if (leg == null) {
            // An adopted leg has no JAIN-SIP dialog: a 2xx retransmitted after its transaction ended
            // comes with neither.
            if (!adoptions.onStrayResponse(response)) {
                LOG.debug("response {} {} matches no leg", response.getStatusCode(), cseq.getMethod());
            }
            return;
        }
        switch (cseq.getMethod()) {
            case Request.INVITE -> {
                if (leg.model != null) {
                    adoptions.onReInviteResponse(leg, response);
                } else if (SessionTimers.isRefresh(leg, cseq)) {
                    timers.onRefreshResponse(leg, response);
                } else if (ReInvites.answersReInvite(leg, cseq)) {
                    actions.reInvites.onResponse(leg, event, response, cseq);
                } else {
                    onInvite(leg, event, response, cseq);
                }
            }
            case Request.BYE -> {
                if (response.getStatusCode() >= 200) {
                    // RFC 3261 §15.1.1: whatever the final response, the session is over.
                    sip.legs.remove(leg);
                }
            }
            case Request.UPDATE -> {
                if (SessionTimers.isRefresh(leg, cseq)) {
                    timers.onRefreshResponse(leg, response);
                }
            }
            case Request.REFER -> actions.referAnswered(leg, response.getStatusCode());
            case Request.INFO -> {
                if (response.getStatusCode() >= 200) {
                    actions.infoDone(leg, response.getStatusCode());
                }
            }
            default -> {
                // CANCEL: its 200 changes nothing; the INVITE's 487 ends the leg (RFC 3261 §9.1).
                // PRACK: its transaction only stops the retransmissions of the 18x (RFC 3262 §3).
            }
        }
    }

    private void onInvite(Leg leg, ResponseEvent event, Response response, CSeqHeader cseq) throws Exception {
        int status = response.getStatusCode();
        if (status == Response.TRYING) {
            return;
        }
        if (status < 200) {
            if (!prack(leg, event, response)) {
                return;
            }
            onProvisional(leg, response);
        } else if (status < 300) {
            onSuccess(leg, event, response, cseq);
        } else {
            onFailure(leg, response);
        }
    }

    /**
     * PRACKs a reliable provisional response (RFC 3262 §4): once per RSeq, in order. A repeated
     * or out-of-order RSeq is neither PRACKed nor processed further: false.
     */
    private boolean prack(Leg leg, ResponseEvent event, Response response) {
        RSeqHeader rseq = (RSeqHeader) response.getHeader(RSeqHeader.NAME);
        if (rseq == null || !SessionTimers.lists(response, RequireHeader.NAME, SessionTimers.RELIABLE)) {
            return true;
        }
        Dialog dialog = event.getDialog() != null ? event.getDialog() : leg.dialog;
        synchronized (leg) {
            if (leg.prackedRSeq >= 0 && rseq.getSequenceNumber() != leg.prackedRSeq + 1) {
                return false;
            }
            leg.prackedRSeq = rseq.getSequenceNumber();
        }
        try {
            Request prack = dialog.createPrack(response);
            sip.addUserAgent(prack);
            dialog.sendRequest(sip.clientTransaction(prack, leg));
        } catch (SipException | RuntimeException e) {
            LOG.warn("cannot PRACK the {} of {}", response.getStatusCode(), leg.callId, e);
        }
        return true;
    }

    private void onProvisional(Leg leg, Response response) {
        boolean report = false;
        boolean cancelNow = false;
        synchronized (leg) {
            if (leg.state == Leg.State.CALLING) {
                leg.state = Leg.State.PROCEEDING;
            }
            if (leg.state == Leg.State.PROCEEDING) {
                report = true;
            } else if (leg.state == Leg.State.CANCELLING && leg.cancelWhenProvisional) {
                // RFC 3261 §9.1: the CANCEL held back until a provisional arrived goes now.
                leg.cancelWhenProvisional = false;
                cancelNow = true;
            }
        }
        if (cancelNow) {
            actions.sendCancel(leg);
        } else if (report) {
            sip.events.progress(leg.callId, response.getStatusCode(), response.getReasonPhrase(),
                    SipContext.body(response));
        }
    }

    private void onSuccess(Leg leg, ResponseEvent event, Response response, CSeqHeader cseq) throws Exception {
        Dialog dialog = event.getDialog() != null ? event.getDialog() : leg.dialog;
        boolean retransmission = event.getClientTransaction() == null
                || (event instanceof ResponseEventExt ext && ext.isRetransmission());
        Request ack;
        Leg.State before;
        synchronized (leg) {
            if (retransmission && leg.ack != null) {
                ack = leg.ack;
                before = null;
            } else {
                // RFC 3261 §13.2.2.4: the UAC core ACKs every 2xx, built from the dialog.
                ack = dialog.createAck(cseq.getSeqNumber());
                leg.ack = ack;
                before = leg.state;
                if (before == Leg.State.CALLING || before == Leg.State.PROCEEDING) {
                    leg.state = Leg.State.CONFIRMED;
                    leg.remoteSdp = SipContext.body(response);
                    timers.negotiateAsUac(leg, response);
                } else {
                    leg.state = Leg.State.ENDING;
                }
            }
        }
        dialog.sendAck(ack);
        if (before == null) {
            return;
        }
        if (before == Leg.State.CALLING || before == Leg.State.PROCEEDING) {
            timers.restart(leg);
            sip.events.accepted(leg.callId, SipContext.body(response));
        } else {
            // Cancelled, yet the callee answered first: end the session it set up (RFC 3261 §15).
            actions.bye(leg);
        }
    }

    private void onFailure(Leg leg, Response response) {
        int status = response.getStatusCode();
        if ((status == Response.UNAUTHORIZED || status == Response.PROXY_AUTHENTICATION_REQUIRED)
                && actions.answerChallenge(leg, response)) {
            return;
        }
        if (status == 422 && actions.retryAfter422(leg, response)) {
            return;
        }
        Leg.State before;
        synchronized (leg) {
            before = leg.state;
            leg.state = Leg.State.ENDED;
        }
        sip.legs.remove(leg);
        // The stack's client transaction has ACKed this response (RFC 3261 §17.1.1.3). After our
        // CANCEL the application has already ended the call: no event for the 487.
        if (before != Leg.State.CALLING && before != Leg.State.PROCEEDING) {
            return;
        }
        List<String> contacts = response.getStatusCode() < 400 ? redirectTargets(response) : List.of();
        if (contacts.isEmpty()) {
            sip.events.failed(leg.callId, response.getStatusCode(), response.getReasonPhrase());
        } else {
            sip.events.redirected(leg.callId, response.getStatusCode(), response.getReasonPhrase(), contacts);
        }
    }

    /**
     * The sip: and tel: Contact URIs of a 3xx, highest q first, the order of the response among
     * equal q (RFC 3261 §8.1.3.4); a Contact without q is ranked as 1.0, the highest.
     * The URIs are copied whole except the method and header parameters (§8.1.3.4, §19.1.5).
     */
    static List<String> redirectTargets(Response response) {
        record Target(String uri, float q) {}
        List<Target> targets = new ArrayList<>();
        ListIterator<?> it = response.getHeaders(ContactHeader.NAME);
        while (it != null && it.hasNext()) {
            ContactHeader contact = (ContactHeader) it.next();
            if (contact.isWildCard() || contact.getAddress() == null) {
                continue;
            }
            URI uri = (URI) contact.getAddress().getURI().clone();
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("sip") && !scheme.equals("tel")) {
                continue;
            }
            if (uri instanceof SipUri sipUri) {
                sipUri.removeParameter("method");
                sipUri.removeHeaders();
            }
            float q = contact.getQValue();
            targets.add(new Target(uri.toString(), q < 0 ? 1.0f : q));
        }
        targets.sort(Comparator.comparingDouble(t -> -t.q()));
        return targets.stream().map(Target::uri).distinct().toList();
    }
}
