package dev.passerelle.gateway.media;

import dev.passerelle.gateway.sdp.CodecPolicy;
import dev.passerelle.gateway.sdp.Negotiation;
import dev.passerelle.gateway.sdp.OfferAnswer;
import dev.passerelle.gateway.sdp.Profile;
import dev.passerelle.gateway.sdp.Sdp;
import dev.passerelle.gateway.sdp.SdpException;
import dev.passerelle.gateway.sdp.SdpParser;
import dev.passerelle.gateway.sdp.Translation;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every SDP crossing the gateway goes through, whatever anchors the media: it is parsed by
 * the strict model (a malformed one is an {@link SdpException} naming the line), an offer is cut
 * to the operator's {@link CodecPolicy}, and the offer/answer rules of RFC 3264 are kept on each
 * leg: an answer must fit its offer (§6), a new offer must fit the exchange in force (§8). Only
 * then is the SDP handed to the anchor it wraps; what that anchor returns is parsed again and,
 * for a relaying anchor, checked to be in the profile its leg speaks.
 *
 * <p>A refused SDP changes nothing: the call keeps the negotiation it had. Steps of one call are
 * serialized; different calls never wait for each other.
 */
public final class NegotiatingAnchor implements MediaAnchor {

    /** What the wrapped anchor makes of SDPs; decides the checks on its output. */
    public enum Relay {
        /** The SDP is copied between legs: no profile is imposed. */
        NONE,
        /** The anchor relays media: WebRTC towards the browser, plain RTP towards SIP. */
        WEBRTC_TO_PLAIN_RTP
    }

    private final MediaAnchor inner;
    private final SdpParser parser;
    private final CodecPolicy policy;
    private final Relay relay;
    private final Map<String, CallState> calls = new ConcurrentHashMap<>();

    public NegotiatingAnchor(MediaAnchor inner, SdpParser parser, CodecPolicy policy, Relay relay) {
        this.inner = inner;
        this.parser = parser;
        this.policy = policy;
        this.relay = relay;
    }

    /** The negotiation of each leg, as that leg saw it: the two differ when the anchor rewrites. */
    private static final class CallState {
        Negotiation web;
        Negotiation sip;
        /** The leg whose offer is pending or was answered last. */
        Leg offerer;

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
        CallState state = calls.computeIfAbsent(callId, id -> new CallState());
        synchronized (state) {
            Negotiation before = state.of(from);
            Negotiation fromSide = before == null ? Negotiation.offered(offer) : before.reoffered(offer);
            String given = offer.write();
            Sdp out = outgoing(other(from), inner.offer(callId, from, given), offer, given);
            Negotiation toSide = state.of(other(from)) == null
                    ? Negotiation.offered(out) : state.of(other(from)).reoffered(out);
            state.set(from, fromSide);
            state.set(other(from), toSide);
            state.offerer = from;
            return out.write();
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
            throw new SdpException("an answer for call " + callId + " came but no offer was made (RFC 3264 §4)");
        }
        synchronized (state) {
            // A copying anchor carries web-to-web calls, whose legs are both WEB; there the leg
            // cannot tell who offered, and both legs see the same descriptions anyway.
            if (relay != Relay.NONE && state.offerer != other(from)) {
                throw new SdpException("an answer came from the leg that made the offer (RFC 3264 §4)");
            }
            Negotiation fromSide = reopened(state.of(from)).answered(answer);
            String given = answer.write();
            Sdp out = outgoing(other(from), inner.answer(callId, from, given), answer, given);
            Negotiation toSide = reopened(state.of(other(from))).answered(out);
            state.set(from, fromSide);
            state.set(other(from), toSide);
            return out.write();
        }
    }

    @Override
    public void release(String callId) {
        calls.remove(callId);
        inner.release(callId);
    }

    @Override
    public void close() {
        calls.clear();
        inner.close();
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
    private Sdp outgoing(Leg to, String produced, Sdp given, String givenText) {
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
