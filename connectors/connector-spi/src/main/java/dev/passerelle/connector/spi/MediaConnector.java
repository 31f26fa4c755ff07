package dev.passerelle.connector.spi;

/**
 * Anchors the media of calls between their two legs. Every SDP that crosses the gateway goes
 * through it, after the gateway has parsed and checked it: an offer from one leg becomes the offer
 * sent to the other, and likewise for the answer (RFC 3264). An anchor may rewrite addresses (a
 * relay such as rtpengine) or profiles (WebRTC to plain RTP). Thread-safe.
 *
 * <p>A call stays on the instance that saw its first offer until {@link #release} is called for
 * it, even when a newer version of the connector is installed meanwhile.
 */
public interface MediaConnector extends AutoCloseable {

    /** The side of the gateway an SDP comes from. */
    enum Leg { WEB, SIP }

    /**
     * An offer from {@code from}; returns the offer for the other leg.
     *
     * @throws MediaRefusedException when the offer cannot be anchored (488 to the offerer)
     * @throws ConnectorException when the anchor cannot be reached (503)
     */
    String offer(String callId, Leg from, String sdp);

    /**
     * The answer from {@code from}; returns the answer for the other leg.
     *
     * @throws MediaRefusedException when the answer cannot be anchored
     * @throws ConnectorException when the anchor cannot be reached
     */
    String answer(String callId, Leg from, String sdp);

    /** Frees whatever the call holds. Idempotent; called however the call ends. */
    void release(String callId);

    /**
     * Whether this anchor relays media between WebRTC (towards {@link Leg#WEB}) and plain RTP
     * (towards {@link Leg#SIP}), as rtpengine does. The gateway then holds what it produces to
     * those profiles; an anchor that copies SDP between legs, the default, is held to none.
     */
    default boolean bridgesWebRtcToPlainRtp() {
        return false;
    }

    /**
     * Whether this anchor can play DTMF into a call's media as RFC 4733 telephone-events
     * ({@link #playDtmf}). The default, false, makes the gateway send DTMF as SIP INFO instead.
     * Added to version 1 of the SPI as a default method: connectors built before it still load.
     */
    default boolean injectsDtmf() {
        return false;
    }

    /**
     * Plays {@code tone} ({@code 0-9 * # A-D}) for {@code durationMs} as RFC 4733 telephone-events
     * in the media this anchor sends towards {@code towards}, after the tones it was given before
     * for the call, so that tones asked for one after the other reach the peer in that order. The
     * gateway calls it only on an anchor that {@link #injectsDtmf()}, for an answered call whose
     * leg {@code towards} agreed on {@code telephone-event} (RFC 4733 §7.1.1).
     *
     * @throws MediaRefusedException when the call's media cannot carry the tone now
     * @throws ConnectorException when the anchor cannot be reached
     * @throws UnsupportedOperationException from an anchor that does not inject DTMF (the default)
     */
    default void playDtmf(String callId, Leg towards, char tone, int durationMs) {
        throw new UnsupportedOperationException(getClass().getName() + " does not play DTMF");
    }

    /** Receives the DTMF a media connector detects in the media of its calls. */
    @FunctionalInterface
    interface DtmfListener {
        /** {@code tone} ({@code 0-9 * # A-D}) ended in the media that leg {@code from} of call {@code callId} sends. */
        void dtmf(String callId, Leg from, char tone);
    }

    /**
     * Where to report the RFC 4733 telephone-events this connector detects in the media of its
     * calls, one call per event once it ended; the gateway turns those from the SIP leg into
     * {@code call.dtmf} events. The gateway may call it again with the same listener; a connector
     * that detects nothing ignores it (the default). Added to version 1 of the SPI as a default
     * method.
     */
    default void onDtmf(DtmfListener listener) {
    }

    @Override
    default void close() {}
}
