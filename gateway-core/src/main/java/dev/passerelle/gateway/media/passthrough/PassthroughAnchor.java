package dev.passerelle.gateway.media.passthrough;

import dev.passerelle.connector.spi.MediaConnector;

/**
 * {@code media.anchor: passthrough}: the SDP of one leg is handed to the other unchanged, so media
 * flows end to end. Right when both ends speak the same media profile: two browsers, or a SIP
 * side that speaks WebRTC media itself; a plain RTP phone needs a relaying anchor. The gateway
 * wraps it, like every media connector, in {@link dev.passerelle.gateway.media.NegotiatingAnchor},
 * which parses and checks every SDP, so nothing malformed reaches a peer. Also the anchor of
 * web-to-web calls, whatever {@code media.anchor} says.
 */
public final class PassthroughAnchor implements MediaConnector {

    @Override
    public String offer(String callId, Leg from, String sdp) {
        return sdp;
    }

    @Override
    public String answer(String callId, Leg from, String sdp) {
        return sdp;
    }

    @Override
    public void release(String callId) {
        // Nothing is held per call.
    }
}
