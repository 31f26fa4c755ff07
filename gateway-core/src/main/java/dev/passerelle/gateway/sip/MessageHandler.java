package dev.passerelle.gateway.sip;

import gov.nist.javax.sip.RequestEventExt;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderAddress;
import javax.sip.header.ToHeader;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MESSAGE for a web user (RFC 3428 §7): answered once, with the status the application gives
 * when it has delivered the message or known it cannot (200, 404, 480, 503 ...), or here
 * already: 415 for a body that is not {@code text/*} or {@code application/*} in a charset Java
 * knows (with {@code Accept}), 413 for a body over {@value #MAX_BODY_BYTES} bytes, 481 inside a
 * dialog the gateway does not know. A MESSAGE inside a call's dialog is delivered like any other,
 * to the user its To URI names. Retransmissions are absorbed by the server transaction.
 */
final class MessageHandler implements RequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(MessageHandler.class);

    /** The largest body taken, the same bound {@code message.send} puts on a browser's. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private final SipContext sip;
    private final Adoptions adoptions;

    MessageHandler(SipContext sip, Adoptions adoptions) {
        this.sip = sip;
        this.adoptions = adoptions;
    }

    @Override
    public void handle(IncomingRequest in) throws Exception {
        // Created now, before the answer that may come later from another thread: a retransmission
        // arriving meanwhile then matches it and is not delivered twice (RFC 3261 §17.2.2).
        if (in.serverTransaction() == null && in.answered()) {
            return;
        }
        ToHeader to = (ToHeader) in.request.getHeader(ToHeader.NAME);
        boolean known = in.dialog() != null ? in.dialog().getApplicationData() != null
                : adoptions.matching(in.request) != null;
        if (to.getTag() != null && !known) {
            in.respond(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return;
        }
        byte[] raw = in.request.getRawContent();
        raw = raw == null ? new byte[0] : raw;
        ContentTypeHeader type = (ContentTypeHeader) in.request.getHeader(ContentTypeHeader.NAME);
        Charset charset = charsetOf(type);
        if (charset == null) {
            // RFC 3261 §21.4.13, RFC 3428 §7: 415 lists what is taken.
            Response r = sip.response(Response.UNSUPPORTED_MEDIA_TYPE, in.request, null);
            r.addHeader(sip.headerFactory.createAcceptHeader("text", "*"));
            r.addHeader(sip.headerFactory.createAcceptHeader("application", "*"));
            in.send(r);
            return;
        }
        if (raw.length > MAX_BODY_BYTES) {
            // RFC 3428 §7: a message too large for the recipient.
            in.respond(Response.REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        InboundMessage message = new InboundMessage(userOf(in, to, true), userOf(in, to, false), sender(in),
                typeText(type), new String(raw, charset));
        sip.events.message(message).whenComplete((status, failure) -> {
            if (failure != null) {
                LOG.warn("MESSAGE for {} failed", message.requestUser(), failure);
            }
            int s = failure != null || status == null || status < 200 || status > 699
                    ? Response.SERVER_INTERNAL_ERROR : status;
            in.respond(s);
        });
    }

    /** The charset of a text/* or application/* body, UTF-8 when it names none; null otherwise. */
    private static Charset charsetOf(ContentTypeHeader type) {
        if (type == null || type.getContentType() == null) {
            return null;
        }
        String t = type.getContentType().toLowerCase(Locale.ROOT);
        if (!t.equals("text") && !t.equals("application")) {
            return null;
        }
        String name = type.getParameter("charset");
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name.replace("\"", "").trim());
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return null;
        }
    }

    private static String typeText(ContentTypeHeader type) {
        String value = type.toString();
        int colon = value.indexOf(':');
        return value.substring(colon + 1).trim();
    }

    /** The user (or host) of the Request-URI; inside a dialog, of the To URI. */
    private static String userOf(IncomingRequest in, ToHeader to, boolean user) {
        URI uri = in.request.getRequestURI();
        if (!(uri instanceof SipURI s) || s.getUser() == null) {
            uri = to.getAddress().getURI();
        }
        if (uri instanceof SipURI s) {
            return user ? s.getUser() : s.getHost();
        }
        return null;
    }

    /** RFC 3325 §9.1: the asserted identity counts only from a trusted source; else the From URI. */
    private String sender(IncomingRequest in) {
        String source = in.event instanceof RequestEventExt ext ? ext.getRemoteIpAddress() : null;
        Header asserted = in.request.getHeader("P-Asserted-Identity");
        if (asserted instanceof HeaderAddress pai && source != null && sip.config.ims().trusts(source)) {
            return pai.getAddress().getURI().toString();
        }
        return ((FromHeader) in.request.getHeader(FromHeader.NAME)).getAddress().getURI().toString();
    }
}
