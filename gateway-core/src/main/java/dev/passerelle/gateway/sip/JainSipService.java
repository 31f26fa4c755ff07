package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.SipDialog;
import dev.passerelle.gateway.sip.dns.NextHops;
import dev.passerelle.sipstack.SipStackProperties;
import dev.passerelle.sipstack.SipStacks;
import dev.passerelle.sipstack.SipStackSettings;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sip.ListeningPoint;
import javax.sip.SipProvider;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP side of the gateway on JAIN-SIP RI: one stack with a UDP and a TCP listening point on
 * the same port, acting as a B2BUA whose every leg is its own dialog.
 */
public final class JainSipService implements SipService {

    private static final Logger LOG = LoggerFactory.getLogger(JainSipService.class);

    private final GatewayConfig.SipConfig config;
    private final SipStackSettings settings;
    private final Duration t1;
    private final SafeEvents events = new SafeEvents();
    private final Legs legs = new Legs();
    private final AddressFactoryImpl addressFactory = new AddressFactoryImpl();
    private final UriParser uris = new UriParser(addressFactory);

    private SipStackImpl stack;
    private SipProvider provider;
    private ScheduledExecutorService timers;
    private LegActions actions;
    private MessageSender messages;
    private Adoptions adoptions;
    private Registrations registrations;
    private Subscriptions subscriptions;
    private Publications publications;
    private GatewaySipListener listener;
    private int port;
    /** The TLS port bound, or 0 without TLS. */
    private int tlsPort;
    private boolean started;
    private boolean stopped;
    private Optional<ProxyMonitor> proxyMonitor = Optional.empty();

    /**
     * With TLS the stack runs its blocking stream transports: the RI's NIO TLS client opened two
     * connections for the first request and the request reached the peer over neither (TlsIT, RI
     * 1.3.0-91), while its blocking TLS delivers it and fails at once on a certificate it cannot
     * verify.
     */
    public JainSipService(GatewayConfig.SipConfig config) {
        this(config, SipStackSettings.builder(SipStackSettings.Profile.DEFAULT)
                .stackName("passerelle-" + config.port())
                .threadPoolSize(config.threadPoolSize())
                .maxMessageSize(config.maxMessageSize())
                .tls(config.tls().orElse(null))
                .nioTransport(config.tls().isEmpty())
                .build());
    }

    /** With explicit stack settings (tests shorten the ACK wait this way). */
    JainSipService(GatewayConfig.SipConfig config, SipStackSettings settings) {
        this(config, settings, SipContext.DEFAULT_T1);
    }

    /** With explicit stack settings and T1 of the client transactions (tests shorten Timer B this way). */
    JainSipService(GatewayConfig.SipConfig config, SipStackSettings settings, Duration t1) {
        this.config = Objects.requireNonNull(config, "config");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.t1 = Objects.requireNonNull(t1, "t1");
    }

    @Override
    public void setEvents(SipEvents events) {
        this.events.set(Objects.requireNonNull(events, "events"));
    }

    @Override
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        try {
            port = config.port() == 0 ? freePort(config.host()) : config.port();
            stack = new SipStackImpl(SipStackProperties.toProperties(settings, ProxyRouter.class.getName()));
            ListeningPoint udp = stack.createListeningPoint(config.host(), port, ListeningPoint.UDP);
            ListeningPoint tcp = stack.createListeningPoint(config.host(), port, ListeningPoint.TCP);
            provider = stack.createSipProvider(udp);
            provider.addListeningPoint(tcp);
            if (settings.tls().isPresent()) {
                int configured = settings.tls().get().port();
                tlsPort = configured == 0 ? freePort(config.host()) : configured;
                provider.addListeningPoint(stack.createListeningPoint(config.host(), tlsPort, ListeningPoint.TLS));
            }
            timers = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sip-timers-" + port);
                t.setDaemon(true);
                return t;
            });
            SipContext sip = new SipContext(config, addressFactory, new HeaderFactoryImpl(),
                    new MessageFactoryImpl(), legs, events, port, tlsPort, provider, timers, t1);
            adoptions = new Adoptions(sip);
            registrations = new Registrations(sip);
            SessionTimers sessionTimers = new SessionTimers(sip);
            Optional<ProxyMonitor> proxy = proxyMonitor(sip);
            proxy.ifPresent(((ProxyRouter) stack.getRouter())::use);
            Challenges challenges = new Challenges(sip, registrations);
            OutOfDialog outOfDialog = new OutOfDialog(sip, registrations, proxy);
            actions = new LegActions(sip, adoptions, outOfDialog, challenges, sessionTimers);
            MessageSender sender = new MessageSender(sip, outOfDialog, challenges);
            subscriptions = new Subscriptions(sip, outOfDialog, challenges, Subscriptions.DEFAULT_EXPIRES);
            publications = new Publications(sip, outOfDialog, challenges);
            RequestValidator validator = new RequestValidator(sip);
            Map<String, RequestHandler> handlers = Map.ofEntries(
                    Map.entry(Request.INVITE, new InviteHandler(sip, actions, validator, adoptions, sessionTimers)),
                    Map.entry(Request.ACK, new AckHandler(sip, sessionTimers)),
                    Map.entry(Request.BYE, new ByeHandler(sip, actions, adoptions)),
                    Map.entry(Request.CANCEL, new CancelHandler(sip, actions)),
                    Map.entry(Request.OPTIONS, new OptionsHandler(sip, validator, adoptions)),
                    Map.entry(Request.PRACK, new PrackHandler(actions)),
                    Map.entry(Request.UPDATE, new UpdateHandler(sip, adoptions, sessionTimers, actions.reInvites)),
                    Map.entry(Request.INFO, new InfoHandler(sip, adoptions)),
                    Map.entry(Request.NOTIFY, new NotifyHandler(sip, adoptions, subscriptions)),
                    Map.entry(Request.REFER, new ReferHandler(sip, actions, adoptions)),
                    Map.entry(Request.MESSAGE, new MessageHandler(sip, adoptions)));
            listener = new GatewaySipListener(sip, validator, handlers,
                    new ResponseHandler(sip, actions, adoptions, registrations, subscriptions, publications,
                            sessionTimers, sender),
                    actions, adoptions, registrations, subscriptions, publications, sessionTimers, proxy, sender);
            provider.addSipListener(listener);
            stack.start();
            proxy.ifPresent(ProxyMonitor::start);
            proxyMonitor = proxy;
            messages = sender;
            if (tlsPort > 0) {
                LOG.info("SIP listening on {}:{} (UDP and TCP) and {} (TLS)", config.host(), port, tlsPort);
            } else {
                LOG.info("SIP listening on {}:{} (UDP and TCP)", config.host(), port);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot start SIP on " + config.host() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int tlsPort() {
        return tlsPort;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void checkHeaders(Map<String, String> headers) {
        ProfileHeaders.checkCustom(config.headers(), headers);
    }

    @Override
    public SipUri parseUri(String text) {
        URI uri;
        try {
            uri = uris.parse(text);
        } catch (ParseException | RuntimeException e) {
            throw new GatewayException(ErrorCode.INVALID_PARAMS, "'" + text + "' is not a SIP or tel URI");
        }
        if (uri instanceof SipURI sip) {
            return new SipUri(sip.getScheme().toLowerCase(Locale.ROOT), sip.getUser(), sip.getHost());
        }
        if (uri instanceof TelURL tel) {
            return new SipUri("tel", (tel.isGlobal() ? "+" : "") + tel.getPhoneNumber(), null);
        }
        throw new GatewayException(ErrorCode.INVALID_PARAMS, "'" + text + "': only sip:, sips: and tel: URIs are supported");
    }

    @Override
    public void invite(OutboundInvite invite) {
        running().invite(invite);
    }

    @Override
    public CompletionStage<Integer> message(OutboundMessage message) {
        MessageSender sender;
        synchronized (this) {
            checkRunning();
            sender = messages;
        }
        return sender.send(message);
    }

    @Override
    public void cancel(String callId) {
        running().cancel(callId);
    }

    @Override
    public void bye(String callId) {
        running().bye(callId);
    }

    @Override
    public Optional<SipDialog> dialog(String callId) {
        return legs.get(callId).flatMap(DialogRequests::snapshot);
    }

    @Override
    public CompletionStage<Void> adopt(String callId, SipDialog dialog) {
        return runningAdoptions().adopt(callId, dialog);
    }

    @Override
    public void end(String callId, SipDialog dialog) {
        runningAdoptions().end(callId, dialog);
    }

    @Override
    public void register(SipRegistration registration) {
        runningRegistrations().register(registration);
    }

    @Override
    public void unregister(String aor) {
        runningRegistrations().unregister(aor);
    }

    @Override
    public CompletionStage<String> reinvite(String callId, String sdp) {
        return running().reInvites.start(callId, sdp);
    }

    @Override
    public void info(String callId, String tones, int durationMs) {
        running().info(callId, tones, durationMs);
    }

    @Override
    public void refer(String callId, String target, String referredBy) {
        running().refer(callId, target, referredBy);
    }

    @Override
    public void notifyReferrer(String callId, int status, String reason) {
        running().notifyReferrer(callId, status, reason);
    }

    @Override
    public CompletionStage<Void> subscribe(String subscriptionId, String fromAor, String target) {
        return runningSubscriptions().subscribe(subscriptionId, fromAor, target);
    }

    @Override
    public void unsubscribe(String subscriptionId) {
        runningSubscriptions().unsubscribe(subscriptionId);
    }

    @Override
    public CompletionStage<Void> publish(String aor, PresenceStatus status, String note) {
        return runningPublications().publish(aor, status, note);
    }

    @Override
    public CompletionStage<Void> unpublish(String aor) {
        return runningPublications().unpublish(aor);
    }

    @Override
    public void ringing(String callId) {
        running().ringing(callId);
    }

    @Override
    public void answer(String callId, String sdp) {
        running().answer(callId, sdp);
    }

    @Override
    public void reject(String callId, int status, String reason) {
        running().reject(callId, status, reason);
    }

    @Override
    public void stop(Duration grace) {
        synchronized (this) {
            if (!started || stopped) {
                return;
            }
            stopped = true;
        }
        List<CompletableFuture<Void>> ending = new java.util.ArrayList<>(
                legs.snapshot().stream().map(actions::shutdown).toList());
        ending.add(subscriptions.unsubscribeAll());
        ending.add(publications.unpublishAll());
        ending.add(registrations.unregisterAll());
        try {
            CompletableFuture.allOf(ending.toArray(CompletableFuture[]::new))
                    .get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("{} SIP legs and {} registrations still ending after {}", legs.snapshot().size(),
                    registrations.size(), grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("SIP leg shutdown failed", e);
        }
        legs.snapshot().forEach(legs::remove);
        proxyMonitor.ifPresent(ProxyMonitor::stop);
        timers.shutdownNow();
        // Deleting providers and listening points one by one races the stack's own UDP channel
        // clean-up; stop() closes them all, and SipStacks retries the race it can still lose.
        SipStacks.stop(stack);
        LOG.info("SIP stopped on port {}", port);
    }

    /** Entries in the leg registry; zero once every call has ended (tests check for leaks). */
    int legCount() {
        return legs.size();
    }

    /** Whether the stack still holds a server transaction with this branch (tests wait on it). */
    boolean serverTransactionLive(String branch) {
        return stack.findTransaction(branch.toLowerCase(java.util.Locale.ROOT), true) != null;
    }

    /** Events the listener caught a handler failing on. */
    int listenerFailures() {
        return listener.failures();
    }

    private synchronized LegActions running() {
        checkRunning();
        return actions;
    }

    /** Registrations held on this node (tests check that none leak). */
    int registrationCount() {
        return registrations.size();
    }

    private synchronized Registrations runningRegistrations() {
        checkRunning();
        return registrations;
    }

    /** Publications held on this node (tests check that none leak). */
    int publicationCount() {
        return publications.size();
    }

    private synchronized Publications runningPublications() {
        checkRunning();
        return publications;
    }

    private synchronized Subscriptions runningSubscriptions() {
        checkRunning();
        return subscriptions;
    }

    private synchronized Adoptions runningAdoptions() {
        checkRunning();
        return adoptions;
    }

    private void checkRunning() {
        if (!started || stopped || actions == null) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "SIP is not running");
        }
    }

    /**
     * The monitor of {@code sip.outboundProxy} (RFC 3263 resolution, keepalive, failover), or
     * empty without one. TLS addresses count only when the gateway listens for TLS.
     */
    private Optional<ProxyMonitor> proxyMonitor(SipContext sip) throws ParseException {
        if (config.outboundProxy().isEmpty() || config.outboundProxy().get().isBlank()) {
            return Optional.empty();
        }
        if (!(uris.parse(config.outboundProxy().get()) instanceof SipURI proxy)) {
            throw new IllegalArgumentException("sip.outboundProxy is not a sip: or sips: URI");
        }
        Set<String> transports = tlsPort > 0 ? Set.of("udp", "tcp", "tls") : Set.of("udp", "tcp");
        return Optional.of(new ProxyMonitor(sip, proxy, new NextHops(config.dnsServers(), transports),
                config.outboundProxyKeepalive()));
    }

    @Override
    public List<ProxyAddress> outboundProxyState() {
        return proxyMonitor.map(ProxyMonitor::describe).orElse(List.of());
    }

    /** A port free for both UDP and TCP on {@code host} (JAIN-SIP refuses port 0). */
    private static int freePort(String host) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.setReuseAddress(false);
                tcp.bind(new InetSocketAddress(address, 0));
                int candidate = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, candidate))) {
                    return candidate;
                } catch (IOException busy) {
                    LOG.debug("port {} free for TCP only", candidate);
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP on " + host);
    }
}
