package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.GatewayException;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Response;

/**
 * INFO within a dialog, legacy usage (RFC 6086 §2, Annex A): DTMF bodies become
 * {@link SipEvents#dtmf}; an INFO without body is a keep-alive and gets 200; any other body type
 * 415 with the types accepted (RFC 3261 §21.4.13). Outside a known dialog: 481 (RFC 3261 §12.2.2).
 */
final class InfoHandler implements RequestHandler {

    private final SipContext sip;
    private final Adoptions adoptions;

    InfoHandler(SipContext sip, Adoptions adoptions) {
        this.sip = sip;
        this.adoptions = adoptions;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        Leg leg = adoptions.inDialog(in);
        if (leg == null) {
            return;
        }
        synchronized (leg) {
            if (leg.state == Leg.State.ENDED) {
                in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
        }
        String body = SipContext.body(in.request);
        if (body == null) {
            in.respond(Response.OK);
            return;
        }
        ContentTypeHeader type = (ContentTypeHeader) in.request.getHeader(ContentTypeHeader.NAME);
        String subType = type == null ? null : type.getContentSubType();
        if (type == null || !DtmfRelay.TYPE.equalsIgnoreCase(type.getContentType())
                || !(DtmfRelay.RELAY.equalsIgnoreCase(subType) || DtmfRelay.PLAIN.equalsIgnoreCase(subType))) {
            Response r = sip.response(Response.UNSUPPORTED_MEDIA_TYPE, in.request, null);
            r.addHeader(sip.headerFactory.createAcceptHeader(DtmfRelay.TYPE, DtmfRelay.RELAY));
            r.addHeader(sip.headerFactory.createAcceptHeader(DtmfRelay.TYPE, DtmfRelay.PLAIN));
            in.send(r);
            return;
        }
        char tone;
        try {
            tone = DtmfRelay.parse(subType, body);
        } catch (GatewayException e) {
            in.respond(Response.BAD_REQUEST, e.getMessage());
            return;
        }
        in.respond(Response.OK);
        sip.events.dtmf(leg.callId, String.valueOf(tone));
    }
}
