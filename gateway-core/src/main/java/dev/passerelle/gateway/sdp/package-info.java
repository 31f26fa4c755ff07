/**
 * A strict RFC 8866 SDP model for every description that crosses the gateway: {@link
 * dev.passerelle.gateway.sdp.SdpParser} (bounded, hand-written, every error an {@link
 * dev.passerelle.gateway.sdp.SdpException} with line and reason, SIP 488), immutable records
 * ({@link dev.passerelle.gateway.sdp.Sdp}, {@link dev.passerelle.gateway.sdp.MediaSection},
 * attributes in order) whose {@code write()} reproduces a canonical input, typed views (codecs,
 * direction, ICE, DTLS, BUNDLE, ssrc), the operator's {@link dev.passerelle.gateway.sdp.CodecPolicy}
 * and the RFC 3264 rules ({@link dev.passerelle.gateway.sdp.OfferAnswer}, {@link
 * dev.passerelle.gateway.sdp.Negotiation}). Depends on nothing of ours but {@code error}.
 */
package dev.passerelle.gateway.sdp;
