package dev.passerelle.gateway.media.rtpengine;

import dev.passerelle.connector.spi.MediaConnector;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.media.rtpengine.CallCounters.LegCounters;
import dev.passerelle.gateway.media.rtpengine.NgClient.NgUnavailableException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code media.anchor: rtpengine}: every SDP goes through rtpengine's ng protocol, so media flows
 * through rtpengine, which speaks WebRTC media (ICE, DTLS-SRTP, rtcp-mux) to the browser and
 * plain RTP/AVP to the SIP peer, in both directions of the call.
 *
 * <p>In rtpengine's terms the gateway call id is the call-id, and each leg has a fixed tag,
 * {@code web} or {@code sip}. An offer's from-tag is its leg's; an answer's from-tag is the leg
 * that made the pending offer and its to-tag the answering leg. Offers may come from either leg at
 * any time (re-INVITE, {@code call.update}); once one answer went through, offers also carry the
 * to-tag, so rtpengine matches them to the established dialogue. Several answers to one offer
 * (183 early media, then 200) are passed on each.
 *
 * <p>A call is placed by its first offer on the next ng address in round-robin order; an address
 * that gives no reply is marked down for {@link RtpengineSettings#downFor()} (tried after the
 * others) and the next one is tried; the call then stays on the address that took it. When no
 * address replies, the offer fails with {@link ErrorCode#SERVICE_UNAVAILABLE}. rtpengine refusing
 * an offer or an answer fails with {@link ErrorCode#NOT_ACCEPTABLE_HERE}
 * {@code "rtpengine: <error-reason>"}.
 *
 * <p>Thread-safe. Steps of one call run one at a time (a per-call monitor held across the ng
 * exchange); calls never wait for one another. Every exchange is bounded by the settings.
 */
public final class RtpengineAnchor implements MediaConnector {
    private static final Logger LOG = LoggerFactory.getLogger(RtpengineAnchor.class);

    /** rtpengine's tag of each leg. */
    private static final String WEB_TAG = "web";
    private static final String SIP_TAG = "sip";

    /** The event durations rtpengine's {@code play DTMF} takes. */
    private static final int MIN_DTMF_MS = 100;
    private static final int MAX_DTMF_MS = 5000;

    private final NgClient client;
    private final List<Endpoint> endpoints;
    private final long downForNanos;
    private final boolean injectDtmf;
    private final Optional<InetSocketAddress> dtmfEvents;
    /** Bound by the first {@link #onDtmf}; null before, and without {@code dtmfEvents}. */
    private DtmfLog dtmfLog;
    private volatile DtmfListener dtmfListener;
    private final AtomicInteger nextEndpoint = new AtomicInteger();
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    public RtpengineAnchor(RtpengineSettings settings) {
        this.client = new NgClient(settings.tryTimeout(), settings.tries());
        this.endpoints = settings.ng().stream().map(Endpoint::new).toList();
        this.downForNanos = settings.downFor().toNanos();
        this.injectDtmf = settings.injectDtmf();
        this.dtmfEvents = settings.dtmfEvents();
    }

    /** WebRTC media to the browser, plain RTP/AVP to the SIP peer: see {@link #towards}. */
    @Override
    public boolean bridgesWebRtcToPlainRtp() {
        return true;
    }

    @Override
    public String offer(String callId, Leg from, String sdp) {
        requireSdp(sdp);
        while (true) {
            if (closed.get()) {
                throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "rtpengine: the media anchor is closed");
            }
            Call call = calls.computeIfAbsent(callId, id -> new Call());
            synchronized (call) {
                if (call.released) {
                    // Released between the lookup and the lock: this offer starts the call anew.
                    continue;
                }
                Map<String, Object> request = request("offer", callId, sdp);
                request.put("from-tag", tag(from));
                if (call.answered) {
                    request.put("to-tag", tag(other(from)));
                }
                request.putAll(towards(other(from)));
                Map<String, Object> reply;
                if (call.endpoint == null) {
                    reply = place(call, request);
                } else {
                    reply = exchange(call.endpoint, request);
                }
                String out = sdpOf(reply, call.endpoint);
                call.offerer = from;
                return out;
            }
        }
    }

    @Override
    public String answer(String callId, Leg from, String sdp) {
        requireSdp(sdp);
        Call call = calls.get(callId);
        if (call == null) {
            throw noOffer(callId);
        }
        synchronized (call) {
            if (call.released || call.offerer == null) {
                throw noOffer(callId);
            }
            if (call.offerer == from) {
                // The anchor relays between a browser and a SIP peer; two browsers need no relay.
                throw new GatewayException(ErrorCode.INTERNAL_ERROR, "rtpengine: the " + tag(from)
                        + " leg answered its own offer in call " + callId);
            }
            Map<String, Object> request = request("answer", callId, sdp);
            request.put("from-tag", tag(call.offerer));
            request.put("to-tag", tag(from));
            request.putAll(towards(call.offerer));
            String out = sdpOf(exchange(call.endpoint, request), call.endpoint);
            call.answered = true;
            return out;
        }
    }

    /** Whether the calls are set up for {@code play DTMF}: {@code media.rtpengine.injectDtmf}. */
    @Override
    public boolean injectsDtmf() {
        return injectDtmf;
    }

    /**
     * ng {@code play DTMF}: rtpengine generates the events as if they came from the leg opposite
     * {@code towards} (its {@code from-tag} names the participant that generates them) and sends
     * them as RFC 4733 packets with the payload type that leg agreed on; tones played one after
     * the other are queued by rtpengine, each followed by its default pause (100 ms). rtpengine
     * takes durations of 100 to 5000 ms: a shorter one is played for 100 ms.
     *
     * <p>rtpengine times the events on the media it relays towards {@code towards}: until the
     * other leg has sent media it refuses ("No SSRC context present for DTMF injection").
     *
     * @throws GatewayException {@link ErrorCode#NOT_ACCEPTABLE_HERE} for a call this anchor does
     *     not hold answered or that was set up without {@code inject DTMF},
     *     {@link ErrorCode#SERVICE_UNAVAILABLE} when rtpengine refuses the tone or does not reply
     */
    @Override
    public void playDtmf(String callId, Leg towards, char tone, int durationMs) {
        if (!injectDtmf) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE,
                    "rtpengine: media.rtpengine.injectDtmf is false, calls are not set up for DTMF");
        }
        Call call = calls.get(callId);
        if (call == null) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "rtpengine: no media for call " + callId);
        }
        synchronized (call) {
            if (call.released || !call.answered) {
                throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "rtpengine: call " + callId
                        + " has no answered media to play DTMF into");
            }
            Map<String, Object> reply = exchange(call.endpoint, playDtmfRequest(callId, towards, tone, durationMs));
            if (!"ok".equals(reply.get("result"))) {
                throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "rtpengine: play DTMF refused: "
                        + reply.get("error-reason"));
            }
        }
    }

    /** The ng {@code play DTMF} request for one tone. */
    private static Map<String, Object> playDtmfRequest(String callId, Leg towards, char tone, int durationMs) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", "play DTMF");
        request.put("call-id", callId);
        request.put("from-tag", tag(other(towards)));
        request.put("code", String.valueOf(tone));
        request.put("duration", (long) Math.max(MIN_DTMF_MS, Math.min(MAX_DTMF_MS, durationMs)));
        return request;
    }

    /**
     * With {@code media.rtpengine.dtmfEvents}, binds that address (on the first call) and reports
     * each DTMF event rtpengine sends there for a call this anchor holds, from the leg its
     * {@code source_tag} names; events of other calls (another gateway's, on a shared rtpengine)
     * are ignored. Without it, does nothing: rtpengine's DTMF stays in the media.
     *
     * @throws GatewayException {@link ErrorCode#SERVICE_UNAVAILABLE} if the address cannot be bound
     */
    @Override
    public synchronized void onDtmf(DtmfListener listener) {
        dtmfListener = listener;
        if (dtmfEvents.isEmpty() || dtmfLog != null || closed.get()) {
            return;
        }
        try {
            dtmfLog = DtmfLog.listen(dtmfEvents.get(), this::dtmfEvent);
        } catch (SocketException e) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "rtpengine: cannot receive DTMF events on "
                    + NgClient.describe(dtmfEvents.get()) + ": " + e.getMessage(), e);
        }
        LOG.info("rtpengine: DTMF events received on {}", NgClient.describe(dtmfLog.address()));
    }

    private void dtmfEvent(DtmfLog.Event event) {
        DtmfListener listener = dtmfListener;
        Leg from = WEB_TAG.equals(event.sourceTag()) ? Leg.WEB : SIP_TAG.equals(event.sourceTag()) ? Leg.SIP : null;
        if (listener == null || from == null || !calls.containsKey(event.callId())) {
            LOG.debug("rtpengine: DTMF {} of call {} from {} is not for this gateway", event.tone(), event.callId(),
                    event.sourceTag());
            return;
        }
        listener.dtmf(event.callId(), from, event.tone());
    }

    /** Deletes the call in rtpengine, freeing its ports at once. Never throws; failures are logged. */
    @Override
    public void release(String callId) {
        Call call = calls.remove(callId);
        if (call == null) {
            return;
        }
        synchronized (call) {
            call.released = true;
            if (call.endpoint == null) {
                return;
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("command", "delete");
            request.put("call-id", callId);
            if (call.offerer != null) {
                // With a from-tag and no to-tag, rtpengine deletes the whole call, both legs.
                request.put("from-tag", tag(call.offerer));
            }
            // rtpengine keeps a deleted call for --delete-delay (30 s by default) to absorb late
            // signalling; the gateway has ended the call, so the ports are freed now.
            request.put("delete delay", 0L);
            try {
                Map<String, Object> reply = client.request(call.endpoint.address, request);
                if ("error".equals(reply.get("result"))) {
                    LOG.warn("rtpengine {}: delete of call {} refused: {}", call.endpoint, callId,
                            reply.get("error-reason"));
                } else if (reply.get("warning") != null) {
                    // rtpengine's "Call-ID not found": already gone (timed out there, or never created).
                    LOG.debug("rtpengine {}: delete of call {}: {}", call.endpoint, callId, reply.get("warning"));
                }
            } catch (RuntimeException e) {
                LOG.warn("rtpengine {}: delete of call {} failed; rtpengine drops it after its own media"
                        + " timeout: {}", call.endpoint, callId, e.getMessage());
            }
        }
    }

    /**
     * The media counters rtpengine holds for the call: empty when this anchor holds no such call
     * or rtpengine no longer knows it.
     *
     * @throws GatewayException {@link ErrorCode#SERVICE_UNAVAILABLE} if the call's rtpengine does not reply
     */
    public Optional<CallCounters> query(String callId) {
        Call call = calls.get(callId);
        if (call == null) {
            return Optional.empty();
        }
        Endpoint endpoint;
        synchronized (call) {
            endpoint = call.endpoint;
        }
        if (endpoint == null) {
            return Optional.empty();
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", "query");
        request.put("call-id", callId);
        Map<String, Object> reply = exchange(endpoint, request);
        if (!"ok".equals(reply.get("result"))) {
            LOG.debug("rtpengine {}: query of call {}: {}", endpoint, callId, reply.get("error-reason"));
            return Optional.empty();
        }
        Map<?, ?> tags = reply.get("tags") instanceof Map<?, ?> m ? m : Map.of();
        return Optional.of(new CallCounters(counters(tags.get(tag(Leg.WEB))), counters(tags.get(tag(Leg.SIP)))));
    }

    /** Deletes every call still held (the gateway drains its calls first, so usually none); then refuses offers. */
    @Override
    public void close() {
        closed.set(true);
        synchronized (this) {
            if (dtmfLog != null) {
                dtmfLog.close();
            }
        }
        for (String callId : new ArrayList<>(calls.keySet())) {
            release(callId);
        }
    }

    // ---- the flags: what rtpengine makes of an SDP, by the leg it is going to -------------------

    /**
     * The ng keys that shape the SDP sent to {@code to}. Both legs get their origin and
     * session-level connection replaced (the addresses are rtpengine's now) and the o= version
     * kept by rtpengine, which bumps it exactly when the SDP it writes changes (RFC 3264 §8).
     * {@code trust-address}: the media address is the one in the SDP, never the source of the ng
     * request (the gateway's), even on a daemon started with {@code --sip-source}.
     */
    private Map<String, Object> towards(Leg to) {
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("replace", List.of("origin", "session-connection", "SDP-version"));
        if (to == Leg.SIP) {
            // A plain SIP phone: RTP/AVP (RFC 3551), no ICE, neither DTLS nor SDES, and RTCP on
            // its own port (RFC 3550 §11) since such phones seldom do rtcp-mux.
            keys.put("transport-protocol", "RTP/AVP");
            keys.put("ICE", "remove");
            keys.put("DTLS", "off");
            keys.put("SDES", List.of("off"));
            keys.put("rtcp-mux", List.of("demux"));
            keys.put("flags", flags("trust-address"));
        } else {
            // A browser: WebRTC requires ICE (RFC 8835 §3.4), DTLS-SRTP with no SDES (RFC 8827
            // §6.5, RFC 5764 §8 profile UDP/TLS/RTP/SAVPF) and rtcp-mux (RFC 8834 §5.1.1), which
            // "require" also puts in an offer, since a browser refuses an offer without it.
            // ICE "force" makes rtpengine the only candidate; a=mid is what the browser
            // uses to tell m-lines apart (RFC 8843 §9.2).
            keys.put("transport-protocol", "UDP/TLS/RTP/SAVPF");
            keys.put("ICE", "force");
            keys.put("SDES", List.of("off"));
            keys.put("rtcp-mux", List.of("require"));
            // DTLS role: rtpengine answers the browser's actpass with active (RFC 5763 §5
            // recommends it) and, having the browser's candidates from the offer, completes ICE
            // and starts its handshake before the answer is even sent. Asking it to write
            // "passive" into the answer then leaves both ends waiting for each other's
            // ClientHello, which a real Chromium showed; so the role is left to rtpengine. An
            // offer to the browser stays actpass (RFC 8842 §5.2), so the browser picks.
            keys.put("flags", flags("trust-address", "generate-mid"));
        }
        return keys;
    }

    /**
     * {@code flags}, with {@code inject DTMF} when the anchor plays DTMF: rtpengine accepts
     * {@code play DTMF} only for a call whose offer and answer both carried it.
     */
    private List<String> flags(String... flags) {
        List<String> out = new ArrayList<>(List.of(flags));
        if (injectDtmf) {
            out.add("inject DTMF");
        }
        return out;
    }

    private static Map<String, Object> request(String command, String callId, String sdp) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", command);
        request.put("call-id", callId);
        request.put("sdp", sdp);
        return request;
    }

    // ---- addresses ------------------------------------------------------------------------------

    /**
     * Sends a call's first offer to the next address in round-robin order, the ones marked down
     * last; the first that replies takes the call.
     */
    private Map<String, Object> place(Call call, Map<String, Object> request) {
        int start = Math.floorMod(nextEndpoint.getAndIncrement(), endpoints.size());
        long now = System.nanoTime();
        List<Endpoint> up = new ArrayList<>();
        List<Endpoint> down = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get((start + i) % endpoints.size());
            (e.isDown(now) ? down : up).add(e);
        }
        up.addAll(down);
        List<String> failures = new ArrayList<>();
        for (Endpoint endpoint : up) {
            try {
                Map<String, Object> reply = client.request(endpoint.address, request);
                endpoint.downUntil = 0;
                call.endpoint = endpoint;
                return reply;
            } catch (NgUnavailableException e) {
                endpoint.markDown(downForNanos);
                LOG.warn("{}; call {} tries the next address", e.getMessage(), request.get("call-id"));
                failures.add(e.getMessage());
            }
        }
        throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "rtpengine: no ng address answered: "
                + String.join("; ", failures));
    }

    /** One exchange with the address a call is on; no reply marks it down and fails with 503. */
    private Map<String, Object> exchange(Endpoint endpoint, Map<String, Object> request) {
        try {
            Map<String, Object> reply = client.request(endpoint.address, request);
            endpoint.downUntil = 0;
            return reply;
        } catch (NgUnavailableException e) {
            endpoint.markDown(downForNanos);
            throw e;
        }
    }

    // ---- replies --------------------------------------------------------------------------------

    private static String sdpOf(Map<String, Object> reply, Endpoint endpoint) {
        Object result = reply.get("result");
        if ("ok".equals(result)) {
            if (reply.get("warning") != null) {
                LOG.info("rtpengine {}: {}", endpoint, reply.get("warning"));
            }
            if (reply.get("sdp") instanceof String sdp) {
                return sdp;
            }
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "rtpengine " + endpoint + ": reply without sdp");
        }
        if ("error".equals(result)) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "rtpengine: " + reply.get("error-reason"));
        }
        throw new GatewayException(ErrorCode.INTERNAL_ERROR, "rtpengine " + endpoint + ": unexpected result " + result);
    }

    private static LegCounters counters(Object tag) {
        long packets = 0;
        long bytes = 0;
        long errors = 0;
        if (tag instanceof Map<?, ?> t && t.get("medias") instanceof List<?> medias) {
            for (Object media : medias) {
                if (media instanceof Map<?, ?> m && m.get("streams") instanceof List<?> streams) {
                    for (Object stream : streams) {
                        if (stream instanceof Map<?, ?> s && s.get("stats") instanceof Map<?, ?> stats) {
                            packets += number(stats.get("packets"));
                            bytes += number(stats.get("bytes"));
                            errors += number(stats.get("errors"));
                        }
                    }
                }
            }
        }
        return new LegCounters(packets, bytes, errors);
    }

    private static long number(Object value) {
        return value instanceof Long l ? l : 0;
    }

    // ---- small things ---------------------------------------------------------------------------

    private static void requireSdp(String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "sdp: missing session description");
        }
    }

    private static GatewayException noOffer(String callId) {
        return new GatewayException(ErrorCode.CALL_DOES_NOT_EXIST, "rtpengine: no offer to answer in call " + callId);
    }

    private static String tag(Leg leg) {
        return leg == Leg.WEB ? WEB_TAG : SIP_TAG;
    }

    private static Leg other(Leg leg) {
        return leg == Leg.WEB ? Leg.SIP : Leg.WEB;
    }

    /** What the anchor remembers of a call; guarded by its own monitor. */
    private static final class Call {
        /** The address that took the first offer; null until one did. */
        Endpoint endpoint;
        /** The leg whose offer is the latest; null until an offer went through. */
        Leg offerer;
        /** An answer went through, so rtpengine knows both tags. */
        boolean answered;
        /** Released: a step that was waiting for the monitor must not use this call. */
        boolean released;
    }

    private static final class Endpoint {
        final InetSocketAddress address;
        /** {@link System#nanoTime()} until which this address is tried last; 0 when up. */
        volatile long downUntil;

        Endpoint(InetSocketAddress address) {
            this.address = address;
        }

        boolean isDown(long now) {
            long until = downUntil;
            return until != 0 && until - now > 0;
        }

        void markDown(long forNanos) {
            downUntil = System.nanoTime() + Math.max(1, forNanos);
        }

        @Override
        public String toString() {
            return NgClient.describe(address);
        }
    }
}
