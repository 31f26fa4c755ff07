package dev.passerelle.gateway.sdp;

/** The two media profiles the gateway bridges; see {@link OfferAnswer#assertProfile(Sdp, Profile)}. */
public enum Profile {
    /**
     * What a browser accepts: {@code UDP/TLS/RTP/SAVPF} (or {@code UDP/DTLS/SCTP} for data),
     * ICE ufrag and pwd, a DTLS fingerprint and setup role, rtcp-mux on RTP sections
     * (RFC 8829 §5.2.1, RFC 8827 §6.5).
     */
    WEBRTC,
    /** What a plain SIP phone accepts: {@code RTP/AVP}, no ICE attributes, no fingerprint. */
    PLAIN_RTP
}
