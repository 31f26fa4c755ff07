package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ClientTransaction;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.Hop;
import javax.sip.address.URI;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MESSAGE requests outside any dialog on behalf of web users (RFC 3428 §4), each in its own
 * non-INVITE client transaction, routed like the gateway's INVITEs (outbound proxy, then the
 * Service-Route of the sender's registration). The outcome of each is one status: the final
 * response's (2xx delivered, any other failed), 408 when no final response came within 64*T1
 * (RFC 3261 §17.1.2.2 Timer F), 503 when it could not be sent. A 401 or 407 is answered once
 * with the sender's registration; a second challenge is the outcome.
 */
final class MessageSender {

    private static final Logger LOG = LoggerFactory.getLogger(MessageSender.class);

    private final SipContext sip;
    private final OutOfDialog outOfDialog;
    private final Challenges challenges;
    /** MESSAGEs without outcome yet, so that a transport error can end them. */
    private final Set<Pending> live = ConcurrentHashMap.newKeySet();

    MessageSender(SipContext sip, OutOfDialog outOfDialog, Challenges challenges) {
        this.sip = sip;
        this.outOfDialog = outOfDialog;
        this.challenges = challenges;
    }

    /** One MESSAGE on its way: the application data of its client transactions. */
    static final class Pending {
        final CompletableFuture<Integer> outcome = new CompletableFuture<>();
        final String fromAor;
        /** Guarded by this: whether a challenge was already answered. */
        private boolean challenged;
        /** The transaction of the request in flight (the first, or the one answering a challenge). */
        private volatile ClientTransaction transaction;

        Pending(String fromAor) {
            this.fromAor = fromAor;
        }

        synchronized boolean firstChallenge() {
            boolean first = !challenged;
            challenged = true;
            return first;
        }
    }

    /**
     * Sends the MESSAGE; the stage completes with its outcome status, on a stack thread.
     *
     * @throws GatewayException {@link ErrorCode#BAD_REQUEST} for a target or sender the gateway
     *     cannot put in a request, before anything is sent
     */
    CompletionStage<Integer> send(OutboundMessage message) {
        URI target = parse(message.target(), "target");
        String transport = outOfDialog.transportTo(target, message.target());
        Request request;
        try {
            request = build(message, target, transport);
        } catch (ParseException | javax.sip.InvalidArgumentException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "cannot build the MESSAGE: " + e.getMessage(), e);
        }
        Pending pending = new Pending(message.fromUri());
        live.add(pending);
        pending.outcome.whenComplete((status, failure) -> live.remove(pending));
        send(request, pending);
        return pending.outcome;
    }

    private Request build(OutboundMessage message, URI target, String transport)
            throws ParseException, javax.sip.InvalidArgumentException {
        Address fromAddress = sip.addressFactory.createAddress(parse(message.fromUri(), "from"));
        if (message.fromDisplayName() != null && !message.fromDisplayName().isBlank()) {
            fromAddress.setDisplayName(message.fromDisplayName());
        }
        // RFC 3428 §4: a new Call-ID and From tag, no To tag, for every MESSAGE outside a dialog,
        // routed as the sender's INVITEs are.
        FromHeader from = sip.headerFactory.createFromHeader(fromAddress, sip.newTag());
        ToHeader to = sip.headerFactory.createToHeader(sip.addressFactory.createAddress(target), null);
        Request request = sip.request(target, Request.MESSAGE, sip.provider.getNewCallId(), 1L, from, to, transport,
                outOfDialog.preloadedRoute(message.fromUri()));
        sip.addUserAgent(request);
        // RFC 3428 §4: no Contact in a MESSAGE; the IMS identity and charging headers as for an INVITE.
        sip.profile.addTo(request, fromAddress, Map.of());
        ContentTypeHeader contentType = (ContentTypeHeader) sip.headerFactory.createHeader(ContentTypeHeader.NAME,
                message.contentType());
        request.setContent(message.body().getBytes(StandardCharsets.UTF_8), contentType);
        return request;
    }

    private void send(Request request, Pending pending) {
        try {
            ClientTransaction ct = sip.provider.getNewClientTransaction(request);
            ct.setApplicationData(pending);
            ct.setRetransmitTimer((int) sip.t1.toMillis());
            pending.transaction = ct;
            ct.sendRequest();
        } catch (SipException | RuntimeException e) {
            LOG.info("cannot send the MESSAGE to {}: {}", request.getRequestURI(), e.getMessage());
            pending.outcome.complete(Response.SERVICE_UNAVAILABLE);
        }
    }

    void onResponse(Pending pending, Request sent, Response response) {
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        if ((status == Response.UNAUTHORIZED || status == Response.PROXY_AUTHENTICATION_REQUIRED)
                && pending.firstChallenge()) {
            try {
                Optional<Request> retry = challenges.answer(sent, response, pending.fromAor);
                if (retry.isPresent()) {
                    send(retry.get(), pending);
                    return;
                }
            } catch (ParseException | RuntimeException e) {
                LOG.warn("cannot answer the {} to a MESSAGE of {}", status, pending.fromAor, e);
            }
        }
        pending.outcome.complete(status);
    }

    /** Timer F: no final response (RFC 3261 §17.1.2.2). */
    void onTimeout(Pending pending) {
        pending.outcome.complete(Response.REQUEST_TIMEOUT);
    }

    /**
     * The stack could not reach {@code host:port} (a refused or broken connection): the MESSAGEs
     * in flight to that hop fail with 503, as an INVITE does.
     */
    void onTransportError(String host, int port) {
        for (Pending pending : live) {
            ClientTransaction ct = pending.transaction;
            if (ct == null) {
                continue;
            }
            try {
                Hop hop = sip.provider.getSipStack().getRouter().getNextHop(ct.getRequest());
                if (hop != null && hop.getHost().equalsIgnoreCase(host) && hop.getPort() == port) {
                    pending.outcome.complete(Response.SERVICE_UNAVAILABLE);
                }
            } catch (SipException e) {
                LOG.debug("no next hop for a MESSAGE of {}", pending.fromAor, e);
            }
        }
    }

    private URI parse(String text, String what) {
        try {
            return sip.uris.parse(text);
        } catch (ParseException | RuntimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "invalid " + what + " URI: " + text);
        }
    }
}
