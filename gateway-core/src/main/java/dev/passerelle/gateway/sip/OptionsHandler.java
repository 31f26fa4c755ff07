package dev.passerelle.gateway.sip;

import javax.sip.header.ToHeader;
import javax.sip.message.Response;

/**
 * OPTIONS (RFC 3261 §11.2): 200 with what the gateway implements. Answered even with
 * Max-Forwards 0, as a UAS may (RFC 4475 §3.3.11). Within an unknown dialog: 481.
 */
final class OptionsHandler implements RequestHandler {

    private final SipContext sip;
    private final RequestValidator validator;
    private final Adoptions adoptions;

    OptionsHandler(SipContext sip, RequestValidator validator, Adoptions adoptions) {
        this.sip = sip;
        this.validator = validator;
        this.adoptions = adoptions;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        ToHeader to = (ToHeader) in.request.getHeader(ToHeader.NAME);
        boolean known = in.dialog() != null ? in.dialog().getApplicationData() != null
                : adoptions.matching(in.request) != null;
        if (to.getTag() != null && !known) {
            in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return;
        }
        Response ok = sip.response(Response.OK, in.request, null);
        sip.addAllow(ok);
        ok.addHeader(validator.accept());
        in.send(ok);
    }
}
