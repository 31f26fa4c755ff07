package dev.passerelle.peers;

import dev.passerelle.sipstack.SipStacks;
import dev.passerelle.sipstack.Slf4jStackLogger;
import gov.nist.javax.sip.stack.HopImpl;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TooManyListenersException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.ObjectInUseException;
import javax.sip.PeerUnavailableException;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionState;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A SIP phone on 127.0.0.1, or on another loopback address: a real JAIN-SIP user agent with its own
 * stack and port. It answers incoming calls as its {@link Behaviour} says, places calls to a
 * gateway, and records every request and response it receives in an {@link EventLog} that tests
 * wait on.
 *
 * <p>The phone sees the ACK of its non-2xx final responses too (JAIN-SIP normally swallows it in
 * the transaction layer), so a test can check that the gateway acknowledged a 486 or a 487.
 */
public final class SipPhone implements SipListener, AutoCloseable {

    /** The transport the phone listens on and sends with. */
    public enum Transport { UDP, TCP, TLS }

    /** What the phone does with a new incoming INVITE. */
    public sealed interface Behaviour {
        /** 200 OK with the phone's SDP at once. */
        record Answer() implements Behaviour {}

        /** 180 Ringing, then 200 OK after {@code delay}. */
        record RingThenAnswer(Duration delay) implements Behaviour {}

        /** 180 Ringing and nothing more, until the test calls {@link SipPhone#answer} or the caller cancels. */
        record RingForever() implements Behaviour {}

        /** A final error response with this code, e.g. 486 Busy Here. */
        record Reject(int code) implements Behaviour {}

        /** Answers every INVITE with {@code code} (3xx) and one Contact per entry of {@code contacts}. */
        record Redirect(int code, List<String> contacts) implements Behaviour {
            public Redirect {
                contacts = List.copyOf(contacts);
            }
        }
    }

    /**
     * How the phone answers the next re-INVITEs: {@code code} to the next {@code times} of them
     * (e.g. 491 once, to make the gateway back off), then 200 with an answer again.
     */
    public record ReInviteRefusal(int code, int times) {}

    private static final AtomicInteger STACKS = new AtomicInteger();
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    private final Transport transport;
    /** The address the phone listens on: 127.0.0.1, or an IPv6 literal such as {@code ::1}. */
    private final String host;
    private final String stackName;
    private final SipStack stack;
    private final SipProvider provider;
    private final ListeningPoint listeningPoint;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final int port;
    private final int rtpPort;
    private final String sdp;
    private final EventLog<PhoneEvent> log = new EventLog<>();
    private final Map<String, InboundCall> inbound = new ConcurrentHashMap<>();
    private final Map<String, ClientTransaction> outboundInvites = new ConcurrentHashMap<>();
    private final Map<String, Dialog> dialogs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private volatile Behaviour behaviour = new Behaviour.Answer();
    private final AtomicInteger reInviteRefusals = new AtomicInteger();
    private volatile int reInviteRefusalCode;
    private volatile int referAnswer = Response.NOT_IMPLEMENTED;

    /** State of one call the phone received, guarded by its own monitor. */
    private static final class InboundCall {
        final ServerTransaction invite;
        final String toTag;
        boolean finalSent;

        InboundCall(ServerTransaction invite, String toTag) {
            this.invite = invite;
            this.toTag = toTag;
        }
    }

    /** A UDP phone. */
    public static SipPhone start() {
        return start(Transport.UDP);
    }

    public static SipPhone start(Transport transport) {
        return start(transport, new Properties());
    }

    /**
     * A TLS phone showing the certificate of {@code keyStore} and trusting those of {@code
     * trustStore} (PKCS12 stores, both with {@code password}); it asks callers for no certificate.
     */
    public static SipPhone startTls(Path keyStore, Path trustStore, String password) {
        Properties tls = new Properties();
        tls.setProperty("javax.net.ssl.keyStore", keyStore.toString());
        tls.setProperty("javax.net.ssl.keyStorePassword", password);
        tls.setProperty("javax.net.ssl.keyStoreType", "PKCS12");
        tls.setProperty("javax.net.ssl.trustStore", trustStore.toString());
        tls.setProperty("javax.net.ssl.trustStorePassword", password);
        tls.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        tls.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
        // The RI's default suites fail handshakes on Java 25 (platform facts).
        tls.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,"
                + "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        tls.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.3, TLSv1.2");
        return start(Transport.TLS, tls);
    }

    /** A phone on another loopback address, e.g. {@code ::1} for SIP over IPv6 (RFC 5118). */
    public static SipPhone startOn(String host, Transport transport) {
        return start(host, transport, new Properties());
    }

    private static SipPhone start(Transport transport, Properties extra) {
        return start("127.0.0.1", transport, extra);
    }

    private static SipPhone start(String host, Transport transport, Properties extra) {
        // The port is probed free and then handed to the stack; another process may take it in
        // between, so a failed bind is retried on a new port.
        SipException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return new SipPhone(host, transport, freePort(host, transport), extra);
            } catch (SipException e) {
                last = e;
            }
        }
        throw new IllegalStateException("could not start a SIP phone", last);
    }

    private SipPhone(String host, Transport transport, int port, Properties extra) throws SipException {
        this.host = host;
        this.transport = transport;
        this.port = port;
        this.stackName = "phone-" + STACKS.incrementAndGet() + "-" + port;
        this.rtpPort = 2 * ThreadLocalRandom.current().nextInt(10_000, 15_000);
        this.sdp = Sdp.phone(rtpPort);
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", stackName);
        // JVM-global in the RI; the gateway's own SLF4J logger serves both when they share a JVM.
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("javax.sip.ROUTER_PATH", PhoneRouter.class.getName());
        p.setProperty("javax.sip.USE_ROUTER_FOR_ALL_URIS", "true");
        p.setProperty("gov.nist.javax.sip.PASS_INVITE_NON_2XX_ACK_TO_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.putAll(extra);
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        try {
            this.stack = factory.createSipStack(p);
            this.addresses = factory.createAddressFactory();
            this.headers = factory.createHeaderFactory();
            this.messages = factory.createMessageFactory();
        } catch (PeerUnavailableException e) {
            throw new SipException("JAIN-SIP RI unavailable", e);
        }
        try {
            this.listeningPoint = stack.createListeningPoint(host, port, transport.name().toLowerCase());
            this.provider = stack.createSipProvider(listeningPoint);
            provider.addSipListener(this);
        } catch (InvalidArgumentException | ObjectInUseException | TooManyListenersException e) {
            SipStacks.stop(stack);
            throw new SipException("cannot listen on " + hostPort(port), e);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, stackName + "-timer");
            t.setDaemon(true);
            return t;
        });
    }

    private static int freePort(String host, Transport transport) {
        InetSocketAddress any;
        try {
            any = new InetSocketAddress(InetAddress.getByName(host), 0);
        } catch (IOException e) {
            throw new IllegalStateException("not an address: " + host, e);
        }
        try {
            if (transport != Transport.UDP) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(any);
                    return s.getLocalPort();
                }
            }
            try (DatagramSocket s = new DatagramSocket(any)) {
                return s.getLocalPort();
            }
        } catch (IOException e) {
            throw new IllegalStateException("no free port on " + host, e);
        }
    }

    public int port() {
        return port;
    }

    public Transport transport() {
        return transport;
    }

    /** The phone's own SIP URI, e.g. {@code sip:phone@127.0.0.1:40312}, for the gateway to call. */
    public String uri() {
        return switch (transport) {
            case UDP -> "sip:phone@" + hostPort(port);
            case TCP -> "sip:phone@" + hostPort(port) + ";transport=tcp";
            // RFC 5630 §3.1.1: TLS all the way to the phone.
            case TLS -> "sips:phone@" + hostPort(port);
        };
    }

    /** The SDP the phone offers, and answers with to an INVITE without offer. */
    public String sdp() {
        return sdp;
    }

    /** The audio port in {@link #sdp()}: a marker that shows the phone's SDP reached someone. */
    public int rtpPort() {
        return rtpPort;
    }

    /** Sets what the phone does with the next incoming calls. */
    public void behave(Behaviour next) {
        this.behaviour = next;
    }

    /** Refuses the next re-INVITEs as {@code refusal} says. */
    public void refuseReInvites(ReInviteRefusal refusal) {
        reInviteRefusalCode = refusal.code();
        reInviteRefusals.set(refusal.times());
    }

    /** Every message received so far. */
    public List<PhoneEvent> events() {
        return log.all();
    }

    public EventLog<PhoneEvent> log() {
        return log;
    }

    // ---------------------------------------------------------------- waiting

    public PhoneEvent.Request awaitRequest(String method, Duration timeout) {
        return awaitRequest(method, null, timeout);
    }

    /** Waits for a request of this method, in the call {@code callId} when it is not null. */
    public PhoneEvent.Request awaitRequest(String method, String callId, Duration timeout) {
        return (PhoneEvent.Request) log.await(e -> e instanceof PhoneEvent.Request r && r.method().equals(method)
                && (callId == null || callId.equals(r.callId())), timeout, method + (callId == null ? "" : " in " + callId));
    }

    public PhoneEvent.Response awaitResponse(int status, Duration timeout) {
        return awaitResponse(null, status, timeout);
    }

    /** Waits for a response with this status, in the call {@code callId} when it is not null. */
    public PhoneEvent.Response awaitResponse(String callId, int status, Duration timeout) {
        return (PhoneEvent.Response) log.await(e -> e instanceof PhoneEvent.Response r && r.status() == status
                && (callId == null || callId.equals(r.callId())), timeout, status + (callId == null ? "" : " in " + callId));
    }

    /** Waits for the final (>= 200) response to the INVITE of {@code callId}. */
    public PhoneEvent.Response awaitFinalResponse(String callId, Duration timeout) {
        return (PhoneEvent.Response) log.await(e -> e instanceof PhoneEvent.Response r && r.status() >= 200
                && r.method().equals(Request.INVITE) && callId.equals(r.callId()), timeout, "final response in " + callId);
    }

    /** Waits for a new incoming call (an INVITE without a To tag). */
    public PhoneEvent.Request awaitCall(Duration timeout) {
        return (PhoneEvent.Request) log.await(e -> e instanceof PhoneEvent.Request r && r.method().equals(Request.INVITE)
                && inbound.containsKey(r.callId()), timeout, "incoming call");
    }

    public PhoneEvent.Request awaitCall() {
        return awaitCall(DEFAULT_WAIT);
    }

    /** Any event matching {@code match}; for checks the helpers above do not cover. */
    public PhoneEvent await(Predicate<PhoneEvent> match, Duration timeout, String what) {
        return log.await(match, timeout, what);
    }

    // ---------------------------------------------------------------- acting

    /**
     * Places a call: an INVITE for {@code requestUri} sent to {@code host:port} whatever the
     * URI's host is, as through an outbound proxy. Returns the Call-ID.
     */
    public String call(String requestUri, String host, int port, String offer) {
        return call(requestUri, host, port, offer, Map.of());
    }

    /** The same with {@code extra} headers (name to value) added to the INVITE. */
    public String call(String requestUri, String host, int port, String offer, Map<String, String> extra) {
        PhoneRouter.NEXT_HOPS.put(stackName, new HopImpl(host, port, transport.name().toLowerCase()));
        try {
            URI target = addresses.createURI(requestUri);
            Address from = addresses.createAddress("Phone", addresses.createSipURI("phone", hostPort(this.port)));
            Address to = addresses.createAddress(target);
            CallIdHeader callId = provider.getNewCallId();
            Request invite = messages.createRequest(target, Request.INVITE, callId,
                    headers.createCSeqHeader(1L, Request.INVITE),
                    headers.createFromHeader(from, newTag()),
                    headers.createToHeader(to, null),
                    List.of(headers.createViaHeader(host, this.port, transport.name().toLowerCase(), null)),
                    headers.createMaxForwardsHeader(70),
                    headers.createContentTypeHeader("application", "sdp"),
                    offer.getBytes(StandardCharsets.UTF_8));
            invite.addHeader(contact());
            invite.addHeader(headers.createUserAgentHeader(List.of("passerelle-it-phone/1.0")));
            for (Map.Entry<String, String> h : extra.entrySet()) {
                invite.addHeader(headers.createHeader(h.getKey(), h.getValue()));
            }
            ClientTransaction tx = provider.getNewClientTransaction(invite);
            outboundInvites.put(callId.getCallId(), tx);
            tx.sendRequest();
            return callId.getCallId();
        } catch (ParseException | InvalidArgumentException | SipException e) {
            throw new IllegalStateException("cannot place a call to " + requestUri, e);
        }
    }

    /** Cancels the phone's own ringing call. */
    public void cancel(String callId) {
        ClientTransaction invite = outboundInvites.get(callId);
        if (invite == null) {
            throw new IllegalStateException("no outgoing call " + callId);
        }
        try {
            provider.getNewClientTransaction(invite.createCancel()).sendRequest();
        } catch (SipException e) {
            throw new IllegalStateException("cannot cancel " + callId, e);
        }
    }

    /** Hangs up an established call, incoming or outgoing. */
    public void bye(String callId) {
        Dialog dialog = dialogs.get(callId);
        if (dialog == null) {
            throw new IllegalStateException("no dialog for call " + callId);
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            dialog.sendRequest(provider.getNewClientTransaction(bye));
        } catch (SipException e) {
            throw new IllegalStateException("cannot send BYE in " + callId, e);
        }
    }

    /** Offers a new session in an established call with a re-INVITE (RFC 3261 §14.1). */
    public void reInvite(String callId, String offer) {
        Dialog dialog = dialogs.get(callId);
        if (dialog == null) {
            throw new IllegalStateException("no dialog for call " + callId);
        }
        try {
            Request invite = dialog.createRequest(Request.INVITE);
            invite.setHeader(contact());
            invite.setContent(offer.getBytes(StandardCharsets.UTF_8), headers.createContentTypeHeader("application", "sdp"));
            dialog.sendRequest(provider.getNewClientTransaction(invite));
        } catch (ParseException | SipException e) {
            throw new IllegalStateException("cannot send a re-INVITE in " + callId, e);
        }
    }

    /**
     * How the phone answers a REFER from now on: 202 to accept it (the test then sends the
     * NOTIFYs with {@link #request}); 501, the default, as a phone without transfer support.
     */
    public void answerRefersWith(int status) {
        referAnswer = status;
    }

    /**
     * Sends {@code method} within an established call's dialog, with {@code body} of
     * {@code contentType} (no body when {@code body} is null); {@code extraHeaders} are
     * {@code "Name: value"} lines. Its response is logged as a {@link PhoneEvent.Response}.
     */
    public void request(String callId, String method, String contentType, String body, String... extraHeaders) {
        Dialog dialog = dialogs.get(callId);
        if (dialog == null) {
            throw new IllegalStateException("no dialog for call " + callId);
        }
        try {
            Request request = dialog.createRequest(method);
            for (String line : extraHeaders) {
                int colon = line.indexOf(':');
                request.addHeader(headers.createHeader(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
            }
            if (body != null) {
                int slash = contentType.indexOf('/');
                request.setContent(body.getBytes(StandardCharsets.UTF_8),
                        headers.createContentTypeHeader(contentType.substring(0, slash), contentType.substring(slash + 1)));
            }
            dialog.sendRequest(provider.getNewClientTransaction(request));
        } catch (ParseException | SipException e) {
            throw new IllegalStateException("cannot send " + method + " in " + callId, e);
        }
    }

    /** Answers a ringing incoming call with 200 OK and the phone's SDP. */
    public void answer(String callId) {
        finalResponse(callId, Response.OK);
    }

    /** Ends a ringing incoming call with an error response. */
    public void reject(String callId, int code) {
        finalResponse(callId, code);
    }

    // ---------------------------------------------------------------- SipListener

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        String callId = callId(request);
        try {
            switch (method) {
                case Request.INVITE -> onInvite(event, callId);
                case Request.ACK -> log.add(requestEvent(request));
                case Request.CANCEL -> onCancel(event, callId);
                case Request.BYE -> {
                    log.add(requestEvent(request));
                    serverTransaction(event).sendResponse(messages.createResponse(Response.OK, request));
                    dialogs.remove(callId);
                }
                case Request.REFER -> {
                    log.add(requestEvent(request));
                    serverTransaction(event).sendResponse(messages.createResponse(referAnswer, request));
                }
                case Request.OPTIONS, Request.INFO, Request.MESSAGE, Request.NOTIFY -> {
                    log.add(requestEvent(request));
                    serverTransaction(event).sendResponse(messages.createResponse(Response.OK, request));
                }
                default -> {
                    log.add(requestEvent(request));
                    serverTransaction(event).sendResponse(messages.createResponse(Response.NOT_IMPLEMENTED, request));
                }
            }
        } catch (ParseException | SipException | InvalidArgumentException e) {
            throw new IllegalStateException("phone could not answer " + method + " in " + callId, e);
        }
    }

    private void onInvite(RequestEvent event, String callId) throws SipException, ParseException, InvalidArgumentException {
        Request request = event.getRequest();
        ServerTransaction tx = serverTransaction(event);
        String existingTag = ((ToHeader) request.getHeader(ToHeader.NAME)).getTag();
        if (existingTag != null) {
            // A re-INVITE in an established dialog: accept it with the same media.
            log.add(requestEvent(request));
            if (reInviteRefusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                tx.sendResponse(messages.createResponse(reInviteRefusalCode, request));
                return;
            }
            tx.sendResponse(okWithSdp(request, existingTag));
            return;
        }
        InboundCall call = new InboundCall(tx, newTag());
        inbound.put(callId, call);
        log.add(requestEvent(request));
        Behaviour now = behaviour;
        if (now instanceof Behaviour.RingThenAnswer r) {
            ring(call, request);
            timer.schedule(() -> finalResponse(callId, Response.OK), r.delay().toMillis(), TimeUnit.MILLISECONDS);
        } else if (now instanceof Behaviour.RingForever) {
            ring(call, request);
        } else if (now instanceof Behaviour.Reject r) {
            finalResponse(callId, r.code());
        } else if (now instanceof Behaviour.Redirect r) {
            redirect(call, request, r);
        } else {
            finalResponse(callId, Response.OK);
        }
    }

    private void redirect(InboundCall call, Request request, Behaviour.Redirect r)
            throws ParseException, SipException, InvalidArgumentException {
        Response response = messages.createResponse(r.code(), request);
        ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(call.toTag);
        for (String contact : r.contacts()) {
            response.addHeader(headers.createContactHeader(addresses.createAddress(contact)));
        }
        synchronized (call) {
            call.finalSent = true;
            call.invite.sendResponse(response);
        }
    }

    private void ring(InboundCall call, Request request) throws ParseException, SipException, InvalidArgumentException {
        Response ringing = messages.createResponse(Response.RINGING, request);
        ((ToHeader) ringing.getHeader(ToHeader.NAME)).setTag(call.toTag);
        ringing.addHeader(contact());
        synchronized (call) {
            if (!call.finalSent) {
                call.invite.sendResponse(ringing);
            }
        }
    }

    private void finalResponse(String callId, int code) {
        InboundCall call = inbound.get(callId);
        if (call == null) {
            throw new IllegalStateException("no incoming call " + callId);
        }
        synchronized (call) {
            // A CANCEL may have ended the call first; then there is nothing left to answer.
            if (call.finalSent) {
                return;
            }
            call.finalSent = true;
            Request request = call.invite.getRequest();
            try {
                Response response;
                if (code == Response.OK) {
                    response = okWithSdp(request, call.toTag);
                } else {
                    response = messages.createResponse(code, request);
                    ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(call.toTag);
                }
                // The dialog is kept before the 2xx leaves: its ACK, which a test may wait for before
                // acting on the dialog, can come back before sendResponse returns.
                Dialog dialog = call.invite.getDialog();
                if (code == Response.OK && dialog != null) {
                    dialogs.put(callId, dialog);
                }
                call.invite.sendResponse(response);
                if (code == Response.OK && dialog == null) {
                    dialogs.put(callId, call.invite.getDialog());
                }
            } catch (ParseException | SipException | InvalidArgumentException e) {
                throw new IllegalStateException("phone could not send " + code + " in " + callId, e);
            }
        }
    }

    private Response okWithSdp(Request request, String toTag) throws ParseException {
        Response ok = messages.createResponse(Response.OK, request);
        ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(toTag);
        ok.addHeader(contact());
        // Answers in the offer's profile and codecs, as a real endpoint does (RFC 3264 §6).
        byte[] offer = request.getRawContent();
        String answer = offer == null ? sdp
                : Sdp.answer(new String(offer, StandardCharsets.UTF_8), rtpPort, Sdp.newUfrag());
        ok.setContent(answer.getBytes(StandardCharsets.UTF_8), headers.createContentTypeHeader("application", "sdp"));
        return ok;
    }

    private void onCancel(RequestEvent event, String callId) throws SipException, ParseException, InvalidArgumentException {
        Request cancel = event.getRequest();
        log.add(requestEvent(cancel));
        serverTransaction(event).sendResponse(messages.createResponse(Response.OK, cancel));
        InboundCall call = inbound.get(callId);
        if (call == null) {
            return;
        }
        synchronized (call) {
            if (call.finalSent || call.invite.getState() != TransactionState.PROCEEDING) {
                return;
            }
            call.finalSent = true;
            Response terminated = messages.createResponse(Response.REQUEST_TERMINATED, call.invite.getRequest());
            ((ToHeader) terminated.getHeader(ToHeader.NAME)).setTag(call.toTag);
            call.invite.sendResponse(terminated);
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        String callId = callId(response);
        // The dialog is kept before the response is logged: a test that saw the 2xx may act on the
        // dialog at once (bye, reInvite, request).
        if (cseq.getMethod().equals(Request.INVITE) && response.getStatusCode() / 100 == 2 && event.getDialog() != null) {
            Dialog dialog = event.getDialog();
            dialogs.put(callId, dialog);
            try {
                dialog.sendAck(dialog.createAck(cseq.getSeqNumber()));
            } catch (SipException | InvalidArgumentException e) {
                throw new IllegalStateException("phone could not ACK the 2xx in " + callId, e);
            }
        }
        log.add(new PhoneEvent.Response(response.getStatusCode(), cseq.getMethod(), callId, body(response), response.toString()));
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        Request request = event.isServerTransaction()
                ? event.getServerTransaction().getRequest()
                : event.getClientTransaction().getRequest();
        log.add(new PhoneEvent.Timeout(request.getMethod(), callId(request)));
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        log.add(new PhoneEvent.TransportError(event.getHost() + ":" + event.getPort()));
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // Transactions end on their own timers; nothing for a test to see.
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // The BYE that ended the dialog was already recorded.
    }

    // ---------------------------------------------------------------- helpers

    private ServerTransaction serverTransaction(RequestEvent event) throws SipException {
        ServerTransaction tx = event.getServerTransaction();
        return tx != null ? tx : provider.getNewServerTransaction(event.getRequest());
    }

    private ContactHeader contact() throws ParseException {
        SipURI uri = addresses.createSipURI("phone", hostPort(port));
        if (transport == Transport.TLS) {
            uri.setSecure(true);
        } else {
            uri.setTransportParam(transport.name().toLowerCase());
        }
        return headers.createContactHeader(addresses.createAddress(uri));
    }

    /** {@code host:port}, an IPv6 address in brackets (RFC 3261 §25.1, RFC 5118 §4.1). */
    private String hostPort(int p) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + p;
    }

    private static PhoneEvent.Request requestEvent(Request request) {
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        return new PhoneEvent.Request(request.getMethod(), callId(request), cseq.getSeqNumber(), body(request), request.toString());
    }

    private static String callId(Message message) {
        return ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
    }

    private static String body(Message message) {
        byte[] raw = message.getRawContent();
        return raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
    }

    private static String newTag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /** Stops the stack and frees the port. */
    @Override
    public void close() {
        timer.shutdownNow();
        PhoneRouter.NEXT_HOPS.remove(stackName);
        provider.removeSipListener(this);
        try {
            stack.deleteSipProvider(provider);
            stack.deleteListeningPoint(listeningPoint);
        } catch (ObjectInUseException e) {
            // stop() below releases them anyway; this only orders the shutdown.
        }
        SipStacks.stop(stack);
    }

    @Override
    public String toString() {
        return "SipPhone " + uri();
    }
}
