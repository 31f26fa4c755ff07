package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.sip.OutboundInvite;
import dev.passerelle.gateway.sip.SipService;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;

/** Performs one SIP action per exchange through the {@link SipService}. */
final class SipProducer extends DefaultProducer {
    private final SipService sip;
    private final String action;

    SipProducer(SipEndpoint endpoint, SipService sip, String action) {
        super(endpoint);
        this.sip = sip;
        this.action = action;
    }

    @Override
    public void process(Exchange exchange) throws InvalidPayloadException {
        Message in = exchange.getMessage();
        switch (action) {
            case "invite" -> sip.invite(in.getMandatoryBody(OutboundInvite.class));
            case "ringing" -> sip.ringing(callId(in));
            case "answer" -> sip.answer(callId(in), in.getHeader(Headers.SDP, String.class));
            case "reject" -> sip.reject(callId(in), in.getHeader(Headers.SIP_STATUS, Integer.class),
                    in.getHeader(Headers.SIP_REASON, String.class));
            case "cancel" -> sip.cancel(callId(in));
            case "bye" -> sip.bye(callId(in));
            case "refer" -> sip.refer(callId(in), in.getHeader(Headers.TRANSFER_TARGET, String.class),
                    in.getHeader(Headers.REFERRED_BY, String.class));
            case "info" -> sip.info(callId(in), in.getHeader(Headers.DTMF_TONES, String.class),
                    in.getHeader(Headers.DTMF_DURATION, Integer.class));
            default -> throw new IllegalStateException("unknown SIP action " + action);
        }
    }

    private static String callId(Message in) {
        String callId = in.getHeader(Headers.CALL_ID, String.class);
        if (callId == null) {
            throw new IllegalArgumentException("header " + Headers.CALL_ID + " is required");
        }
        return callId;
    }
}
