package dev.passerelle.gateway.media.passthrough;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.media.MediaAnchor;

/**
 * {@code media.anchor: passthrough}: the SDP of one leg is handed to the other unchanged, so media
 * flows end to end. Useful when the SIP side speaks WebRTC media itself; a plain RTP phone needs
 * a relaying anchor. It still refuses what is not an SDP body, so garbage never reaches a peer.
 */
public final class PassthroughAnchor implements MediaAnchor {

    private final int maxSdpBytes;

    public PassthroughAnchor(int maxSdpBytes) {
        this.maxSdpBytes = maxSdpBytes;
    }

    @Override
    public String offer(String callId, Leg from, String sdp) {
        return check(sdp);
    }

    @Override
    public String answer(String callId, Leg from, String sdp) {
        return check(sdp);
    }

    @Override
    public void release(String callId) {
        // Nothing is held per call.
    }

    /** RFC 8866 §5: a session description starts with "v=0" and is text without NUL. */
    private String check(String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "sdp: missing session description");
        }
        if (sdp.length() > maxSdpBytes) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "sdp: longer than " + maxSdpBytes + " bytes");
        }
        if (!sdp.startsWith("v=0")) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "sdp: must start with the line v=0 (RFC 8866 §5.1)");
        }
        if (sdp.indexOf('\0') >= 0) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "sdp: contains a NUL byte");
        }
        return sdp;
    }
}
