package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the application asks of a leg, turned into SIP: the UAC side (INVITE, CANCEL, BYE) and
 * the UAS side (180, 2xx, non-2xx). State changes happen under the leg's monitor; messages leave
 * outside it, so a stack thread holding a transaction lock never waits for a leg lock held by a
 * thread that waits for that transaction.
 */
final class LegActions {

    private static final Logger LOG = LoggerFactory.getLogger(LegActions.class);

    private final SipContext sip;
    private final Adoptions adoptions;
    private final Optional<ProxyMonitor> proxyMonitor;

    LegActions(SipContext sip, Adoptions adoptions, Optional<ProxyMonitor> proxyMonitor) {
        this.sip = sip;
        this.adoptions = adoptions;
        this.proxyMonitor = proxyMonitor;
    }

    // ---- UAC -----------------------------------------------------------------------------

    void invite(OutboundInvite invite) {
        ProfileHeaders.checkCustom(sip.config.headers(), invite.headers());
        URI target = parseUri(invite.target(), "target");
        String scheme = target.getScheme().toLowerCase(Locale.ROOT);
        Optional<SipURI> proxy = outboundProxy();
        if (scheme.equals("tel") && proxy.isEmpty()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "a tel: target needs sip.outboundProxy to route it: " + invite.target());
        }
        if (!scheme.equals("sip") && !scheme.equals("sips") && !scheme.equals("tel")) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "unsupported target scheme " + scheme + ":");
        }
        SipURI nextHop = proxy.orElse(target instanceof SipURI s ? s : null);
        // RFC 3263 §4.1: a sips: next hop means TLS; else the transport parameter, else UDP; for
        // the proxy, the transport of the address its RFC 3263 resolution currently chooses.
        String transport = proxy.isPresent() && proxyMonitor.isPresent() ? proxyMonitor.get().transport()
                : nextHop.isSecure() ? "tls"
                : nextHop.getTransportParam() == null ? "udp" : nextHop.getTransportParam().toLowerCase(Locale.ROOT);
        if (!transport.equals("udp") && !transport.equals("tcp") && !transport.equals("tls")) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "unsupported transport " + transport);
        }
        if (transport.equals("tls") && sip.tlsPort == 0) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "TLS to " + nextHop + " needs sip.tls, which is not configured");
        }
        if (scheme.equals("sips") && !transport.equals("tls")) {
            // RFC 5630 §3.1.1: a sips: target is reached over TLS on every hop, the first included.
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "a sips: target needs TLS to the next hop, and " + nextHop + " is not a TLS hop");
        }

        Request request;
        CallIdHeader callId = sip.provider.getNewCallId();
        try {
            request = buildInvite(invite, target, proxy, transport, callId);
        } catch (ParseException | javax.sip.InvalidArgumentException e) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "cannot build the INVITE: " + e.getMessage(), e);
        }
        Leg leg = new Leg(invite.callId(), Leg.Direction.OUTBOUND, callId.getCallId(), Leg.State.CALLING);
        leg.localSdp = invite.sdp();
        leg.transport = transport;
        if (!sip.legs.add(leg)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "call id already in use: " + invite.callId());
        }
        try {
            ClientTransaction ct = sip.clientTransaction(request, leg);
            Dialog dialog = sip.provider.getNewDialog(ct);
            dialog.setApplicationData(leg);
            synchronized (leg) {
                leg.inviteClientTransaction = ct;
                leg.dialog = dialog;
            }
            ct.sendRequest();
        } catch (SipException | RuntimeException e) {
            sip.legs.remove(leg);
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "cannot send the INVITE to " + invite.target() + ": " + e.getMessage(), e);
        }
    }

    private Request buildInvite(OutboundInvite invite, URI target, Optional<SipURI> proxy, String transport,
            CallIdHeader callId) throws ParseException, javax.sip.InvalidArgumentException {
        Address fromAddress = sip.addressFactory.createAddress(parseUri(invite.fromUri(), "fromUri"));
        if (invite.fromDisplayName() != null && !invite.fromDisplayName().isBlank()) {
            fromAddress.setDisplayName(invite.fromDisplayName());
        }
        FromHeader from = sip.headerFactory.createFromHeader(fromAddress, sip.newTag());
        ToHeader to = sip.headerFactory.createToHeader(sip.addressFactory.createAddress(target), null);
        CSeqHeader cseq = sip.headerFactory.createCSeqHeader(1L, Request.INVITE);
        // RFC 3261 §8.1.1.7: the stack fills in the branch when the client transaction is created.
        ViaHeader via = sip.headerFactory.createViaHeader(sip.host, sip.portFor(transport), transport, null);
        Request request = sip.messageFactory.createRequest(target, Request.INVITE, callId, cseq, from, to,
                new ArrayList<>(List.of(via)), sip.headerFactory.createMaxForwardsHeader(70));
        if (proxy.isPresent()) {
            // RFC 3261 §8.1.2: the outbound proxy as a pre-existing route set of one loose router.
            request.addHeader(sip.headerFactory.createRouteHeader(sip.addressFactory.createAddress(proxy.get())));
        }
        request.addHeader(sip.contact(transport));
        sip.addUserAgent(request);
        sip.addAllow(request);
        sip.profile.addTo(request, fromAddress, invite.headers());
        sip.setSdp(request, invite.sdp());
        return request;
    }

    /**
     * The configured outbound proxy as a loose router. A proxy URI without {@code lr} is given one
     * (the gateway never strict-routes, RFC 3261 §16.12.1.2 is legacy): a proxy configured in the
     * gateway is assumed to be an RFC 3261 proxy.
     */
    private Optional<SipURI> outboundProxy() {
        Optional<String> configured = sip.config.outboundProxy();
        if (configured.isEmpty() || configured.get().isBlank()) {
            return Optional.empty();
        }
        URI uri = parseUri(configured.get(), "sip.outboundProxy");
        if (!(uri instanceof SipURI sipUri)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "sip.outboundProxy is not a sip: URI");
        }
        SipURI copy = (SipURI) sipUri.clone();
        copy.setLrParam();
        return Optional.of(copy);
    }

    private URI parseUri(String text, String what) {
        try {
            return sip.uris.parse(text);
        } catch (ParseException | RuntimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "invalid " + what + " URI: " + text);
        }
    }

    void cancel(String callId) {
        Leg leg = leg(callId);
        if (leg.direction == Leg.Direction.INBOUND) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "cancel applies to outbound legs; use reject");
        }
        Runnable next;
        synchronized (leg) {
            switch (leg.state) {
                case CALLING -> {
                    // RFC 3261 §9.1: no CANCEL before a provisional response; send it when one comes.
                    leg.state = Leg.State.CANCELLING;
                    leg.cancelWhenProvisional = true;
                    next = () -> { };
                }
                case PROCEEDING -> {
                    leg.state = Leg.State.CANCELLING;
                    next = () -> sendCancel(leg);
                }
                case CONFIRMED -> {
                    leg.state = Leg.State.ENDING;
                    next = () -> bye(leg);
                }
                default -> next = () -> { };
            }
        }
        next.run();
    }

    /** Sends CANCEL for the leg's INVITE and bounds the wait for its final response (RFC 3261 §9.1). */
    void sendCancel(Leg leg) {
        try {
            Request cancel = leg.inviteClientTransaction.createCancel();
            sip.clientTransaction(cancel, leg).sendRequest();
        } catch (SipException | RuntimeException e) {
            LOG.warn("CANCEL for {} failed", leg.callId, e);
        }
        sip.timers.schedule(() -> {
            if (leg.ended().isDone()) {
                return;
            }
            LOG.info("no final response to the cancelled INVITE of {} within 64*T1", leg.callId);
            sip.legs.remove(leg);
        }, sip.timer64T1Millis(), TimeUnit.MILLISECONDS);
    }

    // ---- both directions -----------------------------------------------------------------

    void bye(String callId) {
        Leg leg = leg(callId);
        boolean send = false;
        synchronized (leg) {
            switch (leg.state) {
                case CONFIRMED -> {
                    leg.state = Leg.State.ENDING;
                    send = true;
                }
                case ANSWERED -> leg.byeAfterAck = true;
                case ENDING, CANCELLING, ENDED -> {
                    return;
                }
                default -> throw new GatewayException(ErrorCode.BAD_REQUEST,
                        "leg " + callId + " is not established (" + leg.state + "): use "
                                + (leg.direction == Leg.Direction.OUTBOUND ? "cancel" : "reject"));
            }
        }
        if (send) {
            bye(leg);
        }
    }

    /** Sends BYE (from the model for an adopted leg); when it cannot be sent the leg ends at once. */
    void bye(Leg leg) {
        try {
            if (leg.model != null) {
                adoptions.sendBye(leg);
            } else {
                sip.sendBye(leg);
            }
        } catch (SipException | RuntimeException e) {
            LOG.warn("BYE for {} failed", leg.callId, e);
            sip.legs.remove(leg);
        }
    }

    // ---- UAS -----------------------------------------------------------------------------

    void ringing(String callId) {
        Leg leg = inbound(callId);
        synchronized (leg) {
            if (leg.state != Leg.State.INVITED && leg.state != Leg.State.RINGING) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is " + leg.state);
            }
            leg.state = Leg.State.RINGING;
        }
        sendOnInvite(leg, Response.RINGING, null, null);
    }

    void answer(String callId, String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "answer needs an SDP");
        }
        Leg leg = inbound(callId);
        synchronized (leg) {
            if (leg.state != Leg.State.INVITED && leg.state != Leg.State.RINGING) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is " + leg.state);
            }
            leg.state = Leg.State.ANSWERED;
            leg.localSdp = sdp;
        }
        // RFC 3261 §13.3.1.4: the dialog retransmits this 2xx until the ACK arrives; without ACK
        // the stack reports a dialog timeout after 64*T1 (GatewaySipListener sends the BYE).
        sendOnInvite(leg, Response.OK, null, sdp);
    }

    void reject(String callId, int status, String reason) {
        if (status < 300 || status > 699) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "reject needs a status 300..699, was " + status);
        }
        Leg leg = inbound(callId);
        if (!rejectInbound(leg, status, reason)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is already answered");
        }
    }

    /** A final non-2xx to a pending inbound INVITE; false when it is no longer pending. */
    boolean rejectInbound(Leg leg, int status, String reason) {
        synchronized (leg) {
            if (leg.state != Leg.State.INVITED && leg.state != Leg.State.RINGING) {
                return false;
            }
            leg.state = Leg.State.ENDED;
        }
        sip.legs.remove(leg);
        sendOnInvite(leg, status, reasonPhrase(reason), null);
        return true;
    }

    /**
     * Like {@link #rejectInbound(Leg, int, String)}, for a 488 caused by the offer: the problem
     * goes in a Warning header (RFC 3261 §21.4.26: "the response SHOULD include a Warning header
     * field explaining why the offer was rejected"; warn-code 399 miscellaneous, §20.43), where
     * the phone's log shows it, and the reason phrase stays the standard one.
     */
    boolean rejectOffer(Leg leg, String problem) {
        synchronized (leg) {
            if (leg.state != Leg.State.INVITED && leg.state != Leg.State.RINGING) {
                return false;
            }
            leg.state = Leg.State.ENDED;
        }
        sip.legs.remove(leg);
        try {
            Response r = sip.response(Response.NOT_ACCEPTABLE_HERE, leg.inviteServerTransaction.getRequest(), leg.localTag);
            r.addHeader(sip.warning(problem));
            leg.inviteServerTransaction.sendResponse(r);
        } catch (ParseException | SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot send 488 on {}", leg.callId, e);
        }
        return true;
    }

    /** 487 to the pending INVITE of a leg the peer abandoned (RFC 3261 §9.2, §15.1.2). */
    void terminatePendingInvite(Leg leg) {
        sendOnInvite(leg, Response.REQUEST_TERMINATED, null, null);
    }

    private void sendOnInvite(Leg leg, int status, String reason, String sdp) {
        try {
            Response r = sip.response(status, leg.inviteServerTransaction.getRequest(), leg.localTag);
            if (reason != null) {
                r.setReasonPhrase(reason);
            }
            if (status < 300) {
                r.addHeader(sip.contact(leg.transport));
            }
            if (sdp != null) {
                sip.setSdp(r, sdp);
            }
            leg.inviteServerTransaction.sendResponse(r);
        } catch (ParseException | SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot send {} on {}", status, leg.callId, e);
        }
    }

    /** A reason phrase safe for a status line (RFC 3261 §25.1 Reason-Phrase), or null for the default. */
    static String reasonPhrase(String text) {
        return SipContext.printable(text, 120);
    }

    // ---- shutdown ------------------------------------------------------------------------

    /** Starts ending the leg the way its state allows; the future completes when it has ended. */
    CompletableFuture<Void> shutdown(Leg leg) {
        Leg.State state;
        synchronized (leg) {
            state = leg.state;
        }
        switch (state) {
            case INVITED, RINGING -> rejectInbound(leg, Response.SERVICE_UNAVAILABLE, null);
            case ANSWERED, CONFIRMED -> {
                synchronized (leg) {
                    leg.state = Leg.State.ENDING;
                }
                bye(leg);
            }
            case CALLING, PROCEEDING -> cancel(leg.callId);
            default -> {
                // Already ending: its own transaction completes it.
            }
        }
        return leg.ended();
    }

    private Leg leg(String callId) {
        return sip.legs.get(callId).orElseThrow(() ->
                new GatewayException(ErrorCode.CALL_DOES_NOT_EXIST, "no SIP leg " + callId));
    }

    private Leg inbound(String callId) {
        Leg leg = leg(callId);
        if (leg.direction != Leg.Direction.INBOUND) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "leg " + callId + " is outbound");
        }
        return leg;
    }
}
