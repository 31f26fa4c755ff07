package dev.passerelle.gateway.sip;

import java.text.ParseException;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionUnavailableException;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request as the listener received it, remembering whether a final response has been sent so
 * that every request is answered exactly once. INVITE, BYE, CANCEL, PRACK, UPDATE, INFO, NOTIFY, REFER and MESSAGE are answered through a
 * server transaction (retransmissions and the ACK of a non-2xx are then the stack's business,
 * RFC 3261 §17.2); other requests statelessly.
 */
final class IncomingRequest {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingRequest.class);

    final RequestEvent event;
    final Request request;
    private final SipContext sip;
    private ServerTransaction serverTransaction;
    private boolean finalSent;
    private boolean retransmission;
    private boolean stateless;

    IncomingRequest(RequestEvent event, SipContext sip) {
        this.event = event;
        this.request = event.getRequest();
        this.sip = sip;
        this.serverTransaction = event.getServerTransaction();
    }

    String method() {
        return request.getMethod();
    }

    Dialog dialog() {
        return event.getDialog();
    }

    /** From now on the leg answers the request (RFC 3261 §13.3.1): the listener must not. */
    synchronized void handOver() {
        finalSent = true;
    }

    /** Whether a final response went out (or none may be sent: ACK, retransmission). */
    synchronized boolean answered() {
        return finalSent || retransmission || Request.ACK.equals(method());
    }

    /**
     * The server transaction, created on first use; null when the request is a retransmission the
     * stack already has a transaction for.
     */
    synchronized ServerTransaction serverTransaction() throws SipException {
        if (serverTransaction == null && !retransmission && !stateless) {
            try {
                serverTransaction = sip.provider.getNewServerTransaction(request);
            } catch (TransactionAlreadyExistsException e) {
                retransmission = true;
            } catch (TransactionUnavailableException e) {
                // The stack refuses requests it cannot match later (e.g. no Max-Forwards, RFC 2543
                // style): they are answered statelessly.
                stateless = true;
            }
        }
        return serverTransaction;
    }

    /** Sends a response made by {@link SipContext#response}; a final one only once. */
    void respond(int status) {
        respond(status, null);
    }

    /** Same as {@link #respond(int)}, replacing the reason phrase when {@code reason} is not null. */
    void respond(int status, String reason) {
        try {
            Response response = sip.response(status, request, null);
            if (reason != null) {
                response.setReasonPhrase(reason);
            }
            send(response);
        } catch (ParseException e) {
            LOG.warn("cannot build {} for {}", status, method(), e);
        }
    }

    synchronized void send(Response response) {
        if (answered()) {
            LOG.debug("{} to {} not sent: already answered", response.getStatusCode(), method());
            return;
        }
        boolean isFinal = response.getStatusCode() >= 200;
        try {
            ServerTransaction st = statefulMethod() ? serverTransaction() : null;
            if (st != null) {
                st.sendResponse(response);
            } else if (retransmission) {
                return;
            } else {
                sip.provider.sendResponse(response);
            }
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot send {} to {} {}", response.getStatusCode(), method(), request.getRequestURI(), e);
        }
        if (isFinal) {
            finalSent = true;
        }
    }

    private boolean statefulMethod() {
        String m = method();
        // INFO, NOTIFY and MESSAGE too: a retransmission must be absorbed by its transaction, not
        // seen as a new tone, a new transfer status or a new message.
        return Request.INVITE.equals(m) || Request.BYE.equals(m) || Request.CANCEL.equals(m)
                || Request.PRACK.equals(m) || Request.UPDATE.equals(m) || Request.INFO.equals(m)
                || Request.NOTIFY.equals(m) || Request.REFER.equals(m) || Request.MESSAGE.equals(m);
    }
}
