package dev.passerelle.gateway.sip;

import gov.nist.javax.sip.DialogTimeoutEvent;
import gov.nist.javax.sip.SipListenerExt;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link javax.sip.SipListener} of the stack: checks each request, hands it to the handler
 * of its method, and guarantees that nothing is thrown back into the stack and that every request
 * gets an answer (500 when a handler failed before answering).
 */
final class GatewaySipListener implements SipListenerExt {

    private static final Logger LOG = LoggerFactory.getLogger(GatewaySipListener.class);

    private final SipContext sip;
    private final RequestValidator validator;
    private final Map<String, RequestHandler> handlers;
    private final ResponseHandler responses;
    private final LegActions actions;
    private final Adoptions adoptions;
    private final Registrations registrations;
    private final Subscriptions subscriptions;
    private final Publications publications;
    private final SessionTimers timers;
    private final AtomicInteger failures = new AtomicInteger();
    private final Optional<ProxyMonitor> proxy;
    private final MessageSender messages;

    GatewaySipListener(SipContext sip, RequestValidator validator, Map<String, RequestHandler> handlers,
            ResponseHandler responses, LegActions actions, Adoptions adoptions, Registrations registrations,
            Subscriptions subscriptions, Publications publications, SessionTimers timers,
            Optional<ProxyMonitor> proxy, MessageSender messages) {
        this.messages = messages;
        this.subscriptions = subscriptions;
        this.publications = publications;
        this.proxy = proxy;
        this.sip = sip;
        this.validator = validator;
        this.handlers = Map.copyOf(handlers);
        this.responses = responses;
        this.actions = actions;
        this.adoptions = adoptions;
        this.registrations = registrations;
        this.timers = timers;
    }

    @Override
    public void processRequest(RequestEvent event) {
        IncomingRequest in = new IncomingRequest(event, sip);
        try {
            if (validator.reject(in)) {
                return;
            }
            handlers.get(in.method()).handle(in);
        } catch (Exception | LinkageError e) {
            failures.incrementAndGet();
            LOG.error("{} {} failed", in.method(), in.request.getRequestURI(), e);
            if (!in.answered()) {
                in.respond(Response.SERVER_INTERNAL_ERROR);
            }
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        try {
            ClientTransaction ct = event.getClientTransaction();
            if (ct != null && ct.getApplicationData() instanceof ProxyMonitor.Probe probe) {
                proxy.ifPresent(p -> p.onProbeResponse(probe, event.getResponse()));
                return;
            }
            responses.handle(event);
        } catch (Exception | LinkageError e) {
            failures.incrementAndGet();
            LOG.error("response {} failed", event.getResponse().getStatusCode(), e);
        }
    }

    /** How many events a handler failed on (and the listener absorbed); tests expect none. */
    int failures() {
        return failures.get();
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        try {
            if (event.isServerTransaction()) {
                return;
            }
            ClientTransaction ct = event.getClientTransaction();
            if (ct.getApplicationData() instanceof Registrations.Registration reg) {
                registrations.onTimeout(reg, ((CSeqHeader) ct.getRequest().getHeader(CSeqHeader.NAME)).getSeqNumber());
                return;
            }
            if (ct.getApplicationData() instanceof ProxyMonitor.Probe probe) {
                proxy.ifPresent(p -> p.onProbeTimeout(probe));
                return;
            }
            if (ct.getApplicationData() instanceof Subscriptions.Subscription sub) {
                proxy.ifPresent(p -> p.onRequestTimeout(ct));
                subscriptions.onTimeout(sub, ct);
                return;
            }
            if (ct.getApplicationData() instanceof Publications.Publication pub) {
                proxy.ifPresent(p -> p.onRequestTimeout(ct));
                publications.onTimeout(pub, ct);
                return;
            }
            proxy.ifPresent(p -> p.onRequestTimeout(ct));
            if (ct.getApplicationData() instanceof MessageSender.Pending message) {
                messages.onTimeout(message);
                return;
            }
            Leg leg = (Leg) ct.getApplicationData();
            if (leg == null) {
                return;
            }
            CSeqHeader cseq = (CSeqHeader) ct.getRequest().getHeader(CSeqHeader.NAME);
            switch (ct.getRequest().getMethod()) {
                case Request.INVITE -> {
                    if (leg.model != null) {
                        adoptions.onReInviteTimeout(leg);
                    } else if (SessionTimers.isRefresh(leg, cseq)) {
                        timers.onRefreshTimeout(leg);
                    } else if (!actions.reInvites.onTimeout(leg, ct)) {
                        endPendingOutbound(leg, Response.REQUEST_TIMEOUT, "Request Timeout");
                    }
                }
                case Request.BYE -> {
                    // RFC 3261 §15.1.1: the session is over whether or not the peer answers.
                    LOG.info("no final response to the BYE of {}", leg.callId);
                    sip.legs.remove(leg);
                }
                case Request.UPDATE -> {
                    if (SessionTimers.isRefresh(leg, cseq)) {
                        timers.onRefreshTimeout(leg);
                    }
                }
                case Request.INFO -> actions.infoDone(leg, Response.REQUEST_TIMEOUT);
                case Request.REFER -> actions.referAnswered(leg, Response.REQUEST_TIMEOUT);
                default -> {
                    // A CANCEL or PRACK timing out changes nothing: the INVITE transaction decides.
                }
            }
        } catch (RuntimeException e) {
            LOG.error("timeout handling failed", e);
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        try {
            LOG.warn("transport error towards {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
            proxy.ifPresent(p -> p.onTransportError(event.getHost(), event.getPort()));
            messages.onTransportError(event.getHost(), event.getPort());
            for (Leg leg : sip.legs.snapshot()) {
                ClientTransaction ct = leg.inviteClientTransaction;
                if (ct != null && sameHop(ct, event)) {
                    endPendingOutbound(leg, Response.SERVICE_UNAVAILABLE, "Transport error");
                }
            }
        } catch (RuntimeException e) {
            LOG.error("I/O exception handling failed", e);
        }
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // Legs end on responses, timeouts and our own timers, never on transaction clean-up.
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // Same: the dialog's end is already known from the BYE or the failure that caused it.
    }

    @Override
    public void processDialogTimeout(DialogTimeoutEvent event) {
        try {
            Leg leg = (Leg) event.getDialog().getApplicationData();
            if (leg == null) {
                return;
            }
            if (event.getReason() == DialogTimeoutEvent.Reason.AckNotReceived) {
                boolean noAck;
                synchronized (leg) {
                    noAck = leg.state == Leg.State.ANSWERED;
                    if (noAck) {
                        leg.state = Leg.State.ENDING;
                    }
                }
                if (noAck) {
                    // RFC 3261 §13.3.1.4: no ACK within 64*T1 - the UAS ends the dialog with BYE.
                    actions.bye(leg);
                    sip.events.failed(leg.callId, Response.REQUEST_TIMEOUT, "No ACK");
                }
            } else if (event.getReason() == DialogTimeoutEvent.Reason.EarlyStateTimeout) {
                if (leg.direction == Leg.Direction.INBOUND) {
                    if (actions.rejectInbound(leg, Response.REQUEST_TIMEOUT, null)) {
                        sip.events.failed(leg.callId, Response.REQUEST_TIMEOUT, "Early dialog timeout");
                    }
                } else if (endPendingOutbound(leg, Response.REQUEST_TIMEOUT, "Early dialog timeout")) {
                    actions.sendCancel(leg);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("dialog timeout handling failed", e);
        }
    }

    /** Ends an outbound leg still waiting for its final response; true if it was waiting. */
    private boolean endPendingOutbound(Leg leg, int status, String reason) {
        Leg.State before;
        synchronized (leg) {
            before = leg.state;
            if (before != Leg.State.CALLING && before != Leg.State.PROCEEDING && before != Leg.State.CANCELLING) {
                return false;
            }
            leg.state = Leg.State.ENDED;
        }
        sip.legs.remove(leg);
        if (before != Leg.State.CANCELLING) {
            sip.events.failed(leg.callId, status, reason);
        }
        return true;
    }

    private boolean sameHop(ClientTransaction ct, IOExceptionEvent event) {
        javax.sip.address.Hop hop;
        try {
            hop = sip.provider.getSipStack().getRouter().getNextHop(ct.getRequest());
        } catch (javax.sip.SipException e) {
            return false;
        }
        return hop != null && hop.getHost().equalsIgnoreCase(event.getHost()) && hop.getPort() == event.getPort();
    }
}
