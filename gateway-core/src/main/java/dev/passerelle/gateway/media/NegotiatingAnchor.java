package dev.passerelle.gateway.media;

import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.MediaConnector;
import dev.passerelle.connector.spi.MediaRefusedException;
import dev.passerelle.gateway.connector.MediaConnectors;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.sdp.CodecPolicy;
import dev.passerelle.gateway.sdp.Negotiation;
import dev.passerelle.gateway.sdp.OfferAnswer;
import dev.passerelle.gateway.sdp.Profile;
import dev.passerelle.gateway.sdp.Sdp;
import dev.passerelle.gateway.sdp.SdpException;
import dev.passerelle.gateway.sdp.SdpParser;
import dev.passerelle.gateway.sdp.Translation;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every SDP crossing the gateway goes through, whatever media connector anchors the media:
 * it is parsed by the strict model (a malformed one is an {@link SdpException} naming the line),
 * an offer is cut to the operator's {@link CodecPolicy}, and the offer/answer rules of RFC 3264
 * are kept on each leg: an answer must fit its offer (§6), a new offer must fit the exchange in
 * force (§8). Only then is the SDP handed to the call's media connector; what that connector
 * returns is parsed again and, for one that bridges WebRTC to plain RTP, checked to be in the
 * profile its leg speaks.
 *
 * <p>A call's first offer pins the media connector instance in use then ({@link MediaConnectors}):
 * every later step of the call goes to that instance, and the pin is let go when the call is
 * released, even when a newer version was installed meanwhile. A connector refusing an SDP
 * ({@link MediaRefusedException}) fails the step with 488, one that cannot reach its server
 * ({@link ConnectorException}) with 503.
 *
 * <p>A refused SDP changes nothing: the call keeps the negotiation it had. Steps of one call are
 * serialized; different calls never wait for each other.
 */
public final class NegotiatingAnchor implements MediaAnchor {
    private static final Logger LOG = LoggerFactory.getLogger(NegotiatingAnchor.class);

    /** What the call's connector makes of SDPs; decides the checks on its output. */
    enum Relay {
        /** The SDP is copied between legs: no profile is imposed. */
        NONE,
        /** The anchor relays media: WebRTC towards the browser, plain RTP towards SIP. */
        WEBRTC_TO_PLAIN_RTP
    }

    private final MediaConnectors connectors;
    private final SdpParser parser;
    private final CodecPolicy policy;
    private final Map<String, CallState> calls = new ConcurrentHashMap<>();
    /** Registered with each connector a call pins, so that a connector swapped in gets it too; null: none. */
    private volatile MediaConnector.DtmfListener dtmf;

    public NegotiatingAnchor(MediaConnectors connectors, SdpParser parser, CodecPolicy policy) {
        this.connectors = connectors;
        this.parser = parser;
        this.policy = policy;
    }

    /**
     * The negotiation of each leg, as that leg saw it (the two differ when the connector
     * rewrites), and the connector the call is pinned to; guarded by its own monitor.
     */
    private static final class CallState {
        Negotiation web;
        Negotiation sip;
        /** The leg whose offer is pending or was answered last. */
        Leg offerer;
        /** The negotiations and offerer in force before a pending re-offer; null otherwise. */
        Negotiation webBefore;
        Negotiation sipBefore;
        Leg offererBefore;
        /** Taken by the first offer that reached the connector; null before. */
        MediaConnectors.Pin pin;
        Relay relay;
        /** Released: a step that was waiting for the monitor must not use this call. */
        boolean released;

        Negotiation of(Leg leg) {
            return leg == Leg.WEB ? web : sip;
        }

        void set(Leg leg, Negotiation n) {
            if (leg == Leg.WEB) {
                web = n;
            } else {
                sip = n;
            }
        }
    }

    @Override
    public String offer(String callId, Leg from, String sdp) {
        Sdp offer = policy.apply(parser.parse(sdp));
        while (true) {
            CallState state = calls.computeIfAbsent(callId, id -> new CallState());
            synchronized (state) {
                if (state.released) {
                    // Released between the lookup and the lock: this offer starts the call anew.
                    continue;
                }
                if (state.pin == null) {
                    state.pin = connectors.pin();
                    state.relay = state.pin.connector().bridgesWebRtcToPlainRtp() ? Relay.WEBRTC_TO_PLAIN_RTP : Relay.NONE;
                    listenForDtmf(state.pin.connector());
                }
                MediaConnector connector = state.pin.connector();
                Negotiation before = state.of(from);
                Negotiation fromSide = before == null ? Negotiation.offered(offer) : before.reoffered(offer);
                String given = offer.write();
                String produced = step(() -> connector.offer(callId, spi(from), given));
                Sdp out = outgoing(state.relay, other(from), produced, offer, given);
                Negotiation toSide = state.of(other(from)) == null
                        ? Negotiation.offered(out) : state.of(other(from)).reoffered(out);
                if (before != null) {
                    state.webBefore = state.web;
                    state.sipBefore = state.sip;
                    state.offererBefore = state.offerer;
                }
                state.set(from, fromSide);
                state.set(other(from), toSide);
                state.offerer = from;
                return out.write();
            }
        }
    }

    /**
     * An answer may come more than once for one offer (early media in a 183, then the 200,
     * RFC 3261 §13.2.1); each is checked against the offer and the last one stands.
     */
    @Override
    public String answer(String callId, Leg from, String sdp) {
        Sdp answer = parser.parse(sdp);
        CallState state = calls.get(callId);
        if (state == null) {
            throw noOffer(callId);
        }
        synchronized (state) {
            if (state.released || state.offerer == null) {
                throw noOffer(callId);
            }
            // A copying anchor carries web-to-web calls, whose legs are both WEB; there the leg
            // cannot tell who offered, and both legs see the same descriptions anyway.
            if (state.relay != Relay.NONE && state.offerer != other(from)) {
                throw new SdpException("an answer came from the leg that made the offer (RFC 3264 §4)");
            }
            MediaConnector connector = state.pin.connector();
            Negotiation fromSide = reopened(state.of(from)).answered(answer);
            String given = answer.write();
            String produced = step(() -> connector.answer(callId, spi(from), given));
            Sdp out = outgoing(state.relay, other(from), produced, answer, given);
            Negotiation toSide = reopened(state.of(other(from))).answered(out);
            state.set(from, fromSide);
            state.set(other(from), toSide);
            state.webBefore = null;
            state.sipBefore = null;
            state.offererBefore = null;
            return out.write();
        }
    }

    @Override
    public void withdraw(String callId) {
        CallState state = calls.get(callId);
        if (state == null) {
            return;
        }
        synchronized (state) {
            if (state.webBefore == null || state.released) {
                return;
            }
            state.web = state.webBefore;
            state.sip = state.sipBefore;
            state.offerer = state.offererBefore;
            state.webBefore = null;
            state.sipBefore = null;
            state.offererBefore = null;
        }
    }

    @Override
    public int playDtmf(String callId, Leg towards, String tones, int durationMs) {
        CallState state = calls.get(callId);
        if (state == null) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "call " + callId + " has no media");
        }
        synchronized (state) {
            if (state.released || state.pin == null) {
                throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "call " + callId + " has no media");
            }
            MediaConnector connector = state.pin.connector();
            if (!connector.injectsDtmf()) {
                throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE,
                        "the media anchor of call " + callId + " cannot play DTMF as RFC 4733 events");
            }
            Negotiation inForce = inForce(state, towards);
            if (inForce == null || !TelephoneEvent.agreed(inForce.answer())) {
                throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "the " + towards.name().toLowerCase(Locale.ROOT)
                        + " leg of call " + callId + " did not agree on telephone-event (RFC 4733 §7.1.1)");
            }
            for (int i = 0; i < tones.length(); i++) {
                char tone = tones.charAt(i);
                try {
                    step(() -> {
                        connector.playDtmf(callId, spi(towards), tone, durationMs);
                        return null;
                    });
                } catch (GatewayException e) {
                    if (i == 0) {
                        throw e;
                    }
                    LOG.warn("call {}: DTMF {} of {} not played: {}", callId, i + 1, tones.length(), e.getMessage());
                    return i;
                }
            }
            return tones.length();
        }
    }

    @Override
    public void onSipDtmf(BiConsumer<String, String> listener) {
        dtmf = (callId, from, tone) -> {
            // Only the phone's tones are news to the browser; the browser's own come back through the media.
            if (from == MediaConnector.Leg.SIP && calls.containsKey(callId)) {
                listener.accept(callId, String.valueOf(tone));
            }
        };
    }

    /** A connector that cannot listen costs the call its received DTMF, not the call. */
    private void listenForDtmf(MediaConnector connector) {
        MediaConnector.DtmfListener listener = dtmf;
        if (listener == null) {
            return;
        }
        try {
            connector.onDtmf(listener);
        } catch (RuntimeException e) {
            LOG.warn("the media connector reports no DTMF: {}", e.getMessage());
        }
    }

    /** The exchange in force on {@code leg}: the last answered one, also while a re-offer is pending; null before any. */
    private static Negotiation inForce(CallState state, Leg leg) {
        Negotiation now = state.of(leg);
        if (now != null && !now.isPending()) {
            return now;
        }
        Negotiation before = leg == Leg.WEB ? state.webBefore : state.sipBefore;
        return before == null || before.isPending() ? null : before;
    }

    /** Frees what the call holds in its connector, then lets go of the connector. */
    @Override
    public void release(String callId) {
        CallState state = calls.remove(callId);
        if (state == null) {
            return;
        }
        synchronized (state) {
            state.released = true;
            if (state.pin != null) {
                try {
                    state.pin.connector().release(callId);
                } finally {
                    state.pin.unpin();
                }
            }
        }
    }

    /**
     * Releases the calls still held (the gateway drains its calls first, so usually none); the
     * connectors themselves belong to whoever made them.
     */
    @Override
    public void close() {
        for (String callId : List.copyOf(calls.keySet())) {
            release(callId);
        }
    }

    private static SdpException noOffer(String callId) {
        return new SdpException("an answer for call " + callId + " came but no offer was made (RFC 3264 §4)");
    }

    /** The connector's own refusals, in the gateway's codes. */
    private static String step(Supplier<String> step) {
        try {
            return step.get();
        } catch (MediaRefusedException e) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, e.getMessage(), e);
        } catch (ConnectorException e) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, e.getMessage(), e);
        }
    }

    private static MediaConnector.Leg spi(Leg leg) {
        return leg == Leg.WEB ? MediaConnector.Leg.WEB : MediaConnector.Leg.SIP;
    }

    /** The state in which a repeated answer is checked: the offer again pending. */
    private static Negotiation reopened(Negotiation n) {
        return n.isPending() ? n : Negotiation.offered(n.offer());
    }

    /**
     * Parses what the anchor produced for leg {@code to} (unless it is what it was given, as with
     * pass-through: no second parse on the call's path); a relay's output must be in that leg's
     * profile, and towards SIP it loses the browser's WebRTC-only attributes.
     */
    private Sdp outgoing(Relay relay, Leg to, String produced, Sdp given, String givenText) {
        Sdp out = produced.equals(givenText) ? given : parser.parse(produced);
        if (relay == Relay.WEBRTC_TO_PLAIN_RTP) {
            if (to == Leg.SIP) {
                out = Translation.toPlainRtp(out);
                OfferAnswer.assertProfile(out, Profile.PLAIN_RTP);
            } else {
                OfferAnswer.assertProfile(out, Profile.WEBRTC);
            }
        }
        return out;
    }

    private static Leg other(Leg leg) {
        return leg == Leg.WEB ? Leg.SIP : Leg.WEB;
    }
}
