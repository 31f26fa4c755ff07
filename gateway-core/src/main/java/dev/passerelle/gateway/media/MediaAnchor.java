package dev.passerelle.gateway.media;

import java.util.function.BiConsumer;

/**
 * Anchors the media of a call between its two legs, as the routes see it. The routes hand every
 * SDP that crosses the gateway through it: an offer from one leg becomes the offer sent to the
 * other, and likewise for the answer. {@link NegotiatingAnchor} implements it over a media
 * connector ({@code media.anchor}), which may rewrite addresses (a relay such as rtpengine) or
 * profiles (WebRTC ⇄ plain RTP), or only copy (pass-through).
 *
 * <p>Throws {@link dev.passerelle.gateway.error.GatewayException} with
 * {@link dev.passerelle.gateway.error.ErrorCode#NOT_ACCEPTABLE_HERE} for an SDP it cannot use.
 */
public interface MediaAnchor extends AutoCloseable {

    /** The side of the gateway an SDP comes from. */
    enum Leg { WEB, SIP }

    /** An offer from {@code from}; returns the offer for the other leg. */
    String offer(String callId, Leg from, String sdp);

    /** The answer from {@code from}; returns the answer for the other leg. */
    String answer(String callId, Leg from, String sdp);

    /**
     * The pending re-offer of an established call was refused or never answered: the exchange
     * in force before it stands again (RFC 3264 §8: a rejected offer leaves the session as it
     * was), so that a later offer is checked against it. Does nothing when no re-offer is pending.
     */
    void withdraw(String callId);

    /**
     * Plays {@code tones} in order, each for {@code durationMs}, as RFC 4733 telephone-events in
     * the media sent towards {@code towards}. Possible only when the call's media connector
     * injects DTMF and the exchange in force on that leg agreed on {@code telephone-event} at the
     * clock rate of its audio codec (RFC 4733 §7.1.1); checked before any tone is played.
     *
     * @return how many tones were played, from the first: all of them, or fewer when the
     *     connector failed on a later one (the failure is logged)
     * @throws dev.passerelle.gateway.error.GatewayException
     *     {@link dev.passerelle.gateway.error.ErrorCode#NOT_ACCEPTABLE_HERE} when the call cannot
     *     carry the events (no answered media, a connector that does not inject DTMF, no
     *     telephone-event agreed), {@link dev.passerelle.gateway.error.ErrorCode#SERVICE_UNAVAILABLE}
     *     (or the connector's 488) when the connector failed on the first tone
     */
    int playDtmf(String callId, Leg towards, String tones, int durationMs);

    /**
     * Where the tones go that a call's media connector detects in the media the SIP leg sends
     * (RFC 4733 events, reported by connectors that can, e.g. rtpengine with
     * {@code media.rtpengine.dtmfEvents}): {@code listener} gets the gateway call id and the tone,
     * on the connector's thread, once per ended event.
     */
    void onSipDtmf(BiConsumer<String, String> listener);

    /** Frees whatever the call holds. Idempotent; called however the call ends. */
    void release(String callId);

    @Override
    default void close() {}
}
