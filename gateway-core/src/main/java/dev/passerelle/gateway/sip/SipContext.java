package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * What every handler shares: the JAIN-SIP factories and provider, the leg registry, the
 * application's events, and the small message-building steps the gateway repeats.
 */
final class SipContext {

    /** The methods the gateway implements (RFC 3261 §20.5). */
    static final List<String> ALLOWED = List.of(
            Request.INVITE, Request.ACK, Request.CANCEL, Request.BYE, Request.OPTIONS, Request.PRACK,
            Request.UPDATE, Request.INFO, Request.NOTIFY, Request.REFER, Request.MESSAGE);

    /** T1, the RTT estimate every SIP timer derives from (RFC 3261 §17.1.1.1). */
    static final Duration DEFAULT_T1 = Duration.ofMillis(500);

    final GatewayConfig.SipConfig config;
    final AddressFactory addressFactory;
    final UriParser uris;
    final HeaderFactory headerFactory;
    final MessageFactory messageFactory;
    final Legs legs;
    final SafeEvents events;
    final String host;
    final int port;
    /** The TLS port, or 0 without TLS. */
    final int tlsPort;
    final SipProvider provider;
    final ScheduledExecutorService timers;
    /** T1 of the gateway's client transactions (tests shorten it). */
    final Duration t1;
    /** The custom and IMS headers of the configured profile. */
    final ProfileHeaders profile;
    private final Header userAgent;
    private final Header server;
    private final SecureRandom random = new SecureRandom();

    SipContext(GatewayConfig.SipConfig config, AddressFactory addressFactory, HeaderFactory headerFactory,
            MessageFactory messageFactory, Legs legs, SafeEvents events, int port, int tlsPort, SipProvider provider,
            ScheduledExecutorService timers, Duration t1) throws ParseException {
        this.config = config;
        this.addressFactory = addressFactory;
        this.uris = new UriParser(addressFactory);
        this.headerFactory = headerFactory;
        this.messageFactory = messageFactory;
        this.legs = legs;
        this.events = events;
        this.host = config.host();
        this.port = port;
        this.tlsPort = tlsPort;
        this.provider = provider;
        this.timers = timers;
        this.t1 = t1;
        this.profile = new ProfileHeaders(headerFactory, config.headers(), config.ims(), config.host());
        this.userAgent = headerFactory.createHeader("User-Agent", config.userAgent());
        this.server = headerFactory.createHeader("Server", config.userAgent());
    }

    /**
     * The configured outbound proxy as a loose router. A proxy URI without {@code lr} is given one
     * (the gateway never strict-routes, RFC 3261 §16.12.1.2 is legacy): a proxy configured in the
     * gateway is assumed to be an RFC 3261 proxy.
     */
    Optional<SipURI> outboundProxy() {
        Optional<String> configured = config.outboundProxy();
        if (configured.isEmpty() || configured.get().isBlank()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = uris.parse(configured.get());
        } catch (ParseException | RuntimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "invalid sip.outboundProxy URI: " + configured.get());
        }
        if (!(uri instanceof SipURI sipUri)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "sip.outboundProxy is not a sip: URI");
        }
        SipURI copy = (SipURI) sipUri.clone();
        copy.setLrParam();
        return Optional.of(copy);
    }

    /** 64*T1: how long a transaction may last (RFC 3261 §17.1.1.2 Timer B, §9.1). */
    long timer64T1Millis() {
        return 64L * t1.toMillis();
    }

    /**
     * A new client transaction for {@code request}, which reports its responses and timeout for
     * {@code leg}, with this context's T1 (Timer A starts at T1 and Timer B is 64*T1, §17.1.1.2).
     */
    ClientTransaction clientTransaction(Request request, Leg leg) throws SipException {
        ClientTransaction ct = provider.getNewClientTransaction(request);
        ct.setApplicationData(leg);
        ct.setRetransmitTimer((int) t1.toMillis());
        return ct;
    }

    /**
     * A {@code Warning: 399 <host> "<text>"} header (RFC 3261 §20.43). The text is made safe
     * for a quoted-string: {@link #printable} (controls become spaces, at most 200 characters),
     * then quotes and backslashes dropped, so a peer's garbage quoted in an error never breaks
     * our message.
     */
    Header warning(String text) throws ParseException, javax.sip.InvalidArgumentException {
        String safe = printable(text, 200);
        return headerFactory.createWarningHeader(host, 399,
                safe == null ? "" : safe.replace("\"", "").replace("\\", ""));
    }

    /**
     * {@code text} fit for a header value or a reason phrase: controls become spaces, at most
     * {@code max} characters, trimmed; null when nothing is left.
     */
    static String printable(String text, int max) {
        if (text == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        text.codePoints().limit(max).forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7f ? ' ' : c));
        String s = b.toString().trim();
        return s.isEmpty() ? null : s;
    }

    /** A random tag or branch-free token with 64 bits of entropy (RFC 3261 §19.3). */
    String newTag() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * A response to {@code request} with a To tag when it has none (RFC 3261 §8.2.6.2; not for
     * 100) and the Server header.
     */
    Response response(int status, Request request, String toTag) throws ParseException {
        Response r = messageFactory.createResponse(status, request);
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (status > 100 && to != null && to.getTag() == null) {
            to.setTag(toTag != null ? toTag : newTag());
        }
        r.setHeader(server);
        return r;
    }

    /**
     * 500 with a Retry-After of 0-10 s for a request offering a session while the peer's previous
     * offer still waits for our answer (RFC 3261 §14.2, RFC 3311 §5.2).
     */
    Response offerStillOpen(Request request) throws ParseException, javax.sip.InvalidArgumentException {
        Response r = response(Response.SERVER_INTERNAL_ERROR, request, null);
        r.setReasonPhrase("Previous Offer Unanswered");
        r.setHeader(headerFactory.createRetryAfterHeader(random.nextInt(11)));
        return r;
    }

    /**
     * Our Contact for messages carried over {@code transport} (RFC 3261 §8.1.1.8). Over TLS it is
     * a {@code sips:} URI of the TLS port, so that requests to us stay on TLS (RFC 5630 §3.1.1).
     */
    /**
     * A request with the headers every request carries (RFC 3261 §8.1.1): one Via without a
     * branch, which the client transaction fills in (§8.1.1.7), Max-Forwards 70, and the route set
     * as Route headers in order.
     */
    Request request(URI requestUri, String method, CallIdHeader callId, long cseq, FromHeader from, ToHeader to,
            String transport, List<Address> routes) throws ParseException, InvalidArgumentException {
        ViaHeader via = headerFactory.createViaHeader(host, portFor(transport), transport, null);
        Request request = messageFactory.createRequest((URI) requestUri.clone(), method, callId,
                headerFactory.createCSeqHeader(cseq, method), from, to, new ArrayList<>(List.of(via)),
                headerFactory.createMaxForwardsHeader(70));
        for (Address route : routes) {
            request.addHeader(headerFactory.createRouteHeader((Address) route.clone()));
        }
        return request;
    }

    ContactHeader contact(String transport) throws ParseException {
        SipURI uri = addressFactory.createSipURI(null, host);
        String t = transport.toLowerCase(Locale.ROOT);
        uri.setPort(portFor(t));
        if (t.equals("tls")) {
            uri.setSecure(true);
        } else {
            uri.setTransportParam(t);
        }
        return headerFactory.createContactHeader(addressFactory.createAddress(uri));
    }

    /** The port our Via and Contact name for {@code transport}. */
    int portFor(String transport) {
        return transport.equalsIgnoreCase("tls") ? tlsPort : port;
    }

    /** The transport the request arrived over, from its top Via. */
    static String transportOf(Request request) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return via == null || via.getTransport() == null ? "udp" : via.getTransport();
    }

    void addUserAgent(Request request) {
        request.setHeader(userAgent);
    }

    void addAllow(Message message) throws ParseException {
        for (String method : ALLOWED) {
            message.addHeader(headerFactory.createAllowHeader(method));
        }
    }

    void setSdp(Message message, String sdp) throws ParseException {
        ContentTypeHeader type = headerFactory.createContentTypeHeader("application", "sdp");
        message.setContent(sdp.getBytes(StandardCharsets.UTF_8), type);
    }

    /** The body as text, or null when there is none. */
    static String body(Message message) {
        byte[] raw = message.getRawContent();
        return raw == null || raw.length == 0 ? null : new String(raw, StandardCharsets.UTF_8);
    }

    /** Whether the message body is an SDP session description (or absent). */
    static boolean isSdpOrEmpty(Message message) {
        ContentTypeHeader type = (ContentTypeHeader) message.getHeader(ContentTypeHeader.NAME);
        if (type == null) {
            return body(message) == null;
        }
        return "application".equalsIgnoreCase(type.getContentType())
                && "sdp".equalsIgnoreCase(type.getContentSubType());
    }

    /** What a request built by {@link #sendInDialog} gets before it leaves: headers, a body. */
    @FunctionalInterface
    interface Filler {
        void fill(Request request) throws ParseException, InvalidArgumentException;
    }

    /**
     * Sends a request other than BYE within the leg's dialog (RFC 3261 §12.2.1.1): from the JAIN-SIP
     * dialog, or from the model of an adopted leg, completed by {@code filler}.
     */
    void sendInDialog(Leg leg, Adoptions adoptions, String method, Filler filler)
            throws SipException, ParseException, InvalidArgumentException {
        Request request = leg.model != null ? adoptions.inDialog(leg, method) : leg.dialog.createRequest(method);
        addUserAgent(request);
        filler.fill(request);
        ClientTransaction ct = clientTransaction(request, leg);
        if (leg.model != null) {
            ct.sendRequest();
        } else {
            leg.dialog.sendRequest(ct);
        }
    }

    /** Sends BYE within the leg's dialog (RFC 3261 §15.1.1); the response ends the leg. */
    void sendBye(Leg leg) throws SipException {
        Request bye = leg.dialog.createRequest(Request.BYE);
        addUserAgent(bye);
        leg.dialog.sendRequest(clientTransaction(bye, leg));
    }
}
