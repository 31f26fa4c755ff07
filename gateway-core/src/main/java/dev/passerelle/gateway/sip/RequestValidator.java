package dev.passerelle.gateway.sip;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Set;
import javax.sip.address.URI;
import javax.sip.header.AcceptHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.RequireHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The checks a UAS makes before it looks at what a request asks for, in the order of RFC 3261
 * §8.2: malformed requests the parser let through (400; repeated single-valued and missing
 * required headers never get here, the stack's StrictMessageParser refuses them), method
 * inspection (405, §8.2.1), header inspection (416 and 420, §8.2.2), content processing (415,
 * §8.2.3). ACKs are never answered (§17.2.3): a bad one is only reported as rejected so that it
 * is dropped.
 */
final class RequestValidator {

    /**
     * Option tags the gateway implements: reliable provisional responses (RFC 3262) and, when
     * enabled, session timers (RFC 4028).
     */
    private final Set<String> supported;

    private final SipContext sip;

    RequestValidator(SipContext sip) {
        this.sip = sip;
        this.supported = sip.config.sessionTimer().enabled()
                ? Set.of(SessionTimers.RELIABLE, SessionTimers.TIMER) : Set.of(SessionTimers.RELIABLE);
    }

    /** Answers the request and returns true when it must go no further. */
    boolean reject(IncomingRequest in) throws ParseException {
        Request request = in.request;
        boolean ack = Request.ACK.equals(in.method());

        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        if (cseq == null || !cseq.getMethod().equals(request.getMethod())) {
            // RFC 3261 §8.1.1.5: the CSeq method matches the request method (RFC 4475 §3.1.2.17-18).
            return ack || answer(in, Response.BAD_REQUEST, "CSeq method does not match the request");
        }
        if (ack) {
            return false;
        }
        if (!SipContext.ALLOWED.contains(request.getMethod())) {
            Response r = sip.response(Response.METHOD_NOT_ALLOWED, request, null);
            sip.addAllow(r);
            in.send(r);
            return true;
        }
        URI uri = request.getRequestURI();
        String scheme = uri.getScheme();
        if (!"sip".equalsIgnoreCase(scheme) && !"sips".equalsIgnoreCase(scheme)) {
            // RFC 3261 §8.2.2.1.
            return answer(in, Response.UNSUPPORTED_URI_SCHEME, null);
        }
        if (!Request.CANCEL.equals(request.getMethod())) {
            List<String> unsupported = unsupportedRequirements(request, supported);
            if (!unsupported.isEmpty()) {
                // RFC 3261 §8.2.2.3: 420 listing the option tags we do not support.
                Response r = sip.response(Response.BAD_EXTENSION, request, null);
                for (String tag : unsupported) {
                    r.addHeader(sip.headerFactory.createUnsupportedHeader(tag));
                }
                in.send(r);
                return true;
            }
        }
        // INFO, NOTIFY and MESSAGE bodies are their handlers' to judge: they answer the 415 of
        // §8.2.3 themselves.
        if (SipContext.body(request) != null && !SipContext.isSdpOrEmpty(request)
                && !Request.INFO.equals(request.getMethod()) && !Request.NOTIFY.equals(request.getMethod())
                && !Request.MESSAGE.equals(request.getMethod())) {
            // RFC 3261 §8.2.3: 415 with the body types we accept.
            Response r = sip.response(Response.UNSUPPORTED_MEDIA_TYPE, request, null);
            r.addHeader(accept());
            in.send(r);
            return true;
        }
        return false;
    }

    AcceptHeader accept() throws ParseException {
        return sip.headerFactory.createAcceptHeader("application", "sdp");
    }

    private static List<String> unsupportedRequirements(Request request, Set<String> supported) {
        List<String> out = new ArrayList<>();
        ListIterator<?> it = request.getHeaders(RequireHeader.NAME);
        while (it != null && it.hasNext()) {
            String tag = ((RequireHeader) it.next()).getOptionTag();
            if (tag != null && !supported.contains(tag.trim()) && !out.contains(tag.trim())) {
                out.add(tag.trim());
            }
        }
        return out;
    }

    private static boolean answer(IncomingRequest in, int status, String reason) {
        in.respond(status, reason);
        return true;
    }
}
