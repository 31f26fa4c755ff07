package dev.passerelle.gateway.media.rtpengine;

/**
 * The media counters rtpengine holds for one call, per leg, from its {@code query} reply.
 *
 * @param web what rtpengine counted on the ports facing the browser
 * @param sip what rtpengine counted on the ports facing the SIP peer
 */
public record CallCounters(LegCounters web, LegCounters sip) {

    /**
     * One leg's counters, summed over all its media streams, RTP and RTCP alike.
     *
     * @param packets packets rtpengine received from this leg
     * @param bytes bytes of those packets
     * @param errors packets rtpengine could not handle on this leg's ports, e.g. media it could not
     *     forward to this leg yet because ICE or DTLS with it has not completed
     */
    public record LegCounters(long packets, long bytes, long errors) {}
}
