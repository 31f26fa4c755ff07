package dev.passerelle.gateway.sdp;

import java.util.List;

/**
 * The RFC 3264 offer/answer rules the gateway enforces on descriptions it receives, and the
 * profile check of descriptions the media anchor produced. Stateless; the state of one dialog is
 * a {@link Negotiation}.
 */
public final class OfferAnswer {

    private OfferAnswer() {}

    /**
     * RFC 3264 §6: the answer has the offer's m-lines in the same order with the same media types
     * and protos; a stream the offer rejected (port 0) stays rejected; every codec of an accepted
     * stream was offered in that stream (static payload types by number, others by name, clock
     * rate and channels); the direction answers the offered one (§6.1).
     *
     * @throws SdpException naming the m-line at fault
     */
    public static void checkAnswer(Sdp offer, Sdp answer) {
        List<MediaSection> o = offer.media();
        List<MediaSection> a = answer.media();
        if (o.size() != a.size()) {
            throw new SdpException("answer has " + a.size() + " m-lines, the offer " + o.size() + " (RFC 3264 §6)");
        }
        for (int i = 0; i < o.size(); i++) {
            MediaSection om = o.get(i);
            MediaSection am = a.get(i);
            String at = mLine(i, om);
            if (!om.type().equals(am.type())) {
                throw new SdpException(at + ": answer has " + am.type() + " where the offer has " + om.type() + " (RFC 3264 §6)");
            }
            if (om.isRejected()) {
                if (!am.isRejected()) {
                    throw new SdpException(at + ": the offer rejected this stream (port 0), the answer must too (RFC 3264 §6)");
                }
                continue;
            }
            if (am.isRejected()) {
                continue;
            }
            if (!om.proto().equals(am.proto())) {
                throw new SdpException(at + ": answer proto " + am.proto() + " differs from the offered " + om.proto() + " (RFC 3264 §6)");
            }
            checkFormats(at, om, am);
            Direction od = offer.direction(om);
            Direction ad = answer.direction(am);
            if (!od.accepts(ad)) {
                throw new SdpException(at + ": answer direction " + ad.attribute() + " does not answer the offered "
                        + od.attribute() + " (RFC 3264 §6.1)");
            }
        }
    }

    private static void checkFormats(String at, MediaSection om, MediaSection am) {
        if (!om.isRtp()) {
            for (String f : am.formats()) {
                if (!om.formats().contains(f)) {
                    throw new SdpException(at + ": answer format " + f + " was not offered (RFC 3264 §6.1)");
                }
            }
            return;
        }
        List<Codec> offered = om.codecs();
        for (Codec c : am.codecs()) {
            boolean found = false;
            for (Codec oc : offered) {
                if (c.isStatic() ? oc.payloadType() == c.payloadType() : oc.sameFormat(c)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                throw new SdpException(at + ": answer codec " + c.payloadType() + " " + c.name() + "/" + c.clockRate()
                        + (c.channels() > 1 ? "/" + c.channels() : "") + " was not offered (RFC 3264 §6.1)");
            }
        }
    }

    /**
     * RFC 3264 §8: a new offer in a dialog keeps every m-line of the previous exchange in its
     * position with its media type (more m-lines may follow; a stream is removed by port 0, and a
     * slot disabled before may be reused for another type, §8.1); and its o= line is that party's
     * earlier one with a greater version, or the same version when nothing changed. RFC 3264 asks
     * for exactly one more; a greater one is accepted, since some agents skip.
     *
     * @param previousOffer  the offer of the last completed exchange
     * @param previousAnswer its answer
     * @throws SdpException naming what is wrong
     */
    public static void checkReoffer(Sdp previousOffer, Sdp previousAnswer, Sdp offer) {
        List<MediaSection> before = previousOffer.media();
        List<MediaSection> now = offer.media();
        if (now.size() < before.size()) {
            throw new SdpException("new offer has " + now.size() + " m-lines, fewer than the previous " + before.size()
                    + "; a stream is removed by port 0 (RFC 3264 §8.2)");
        }
        for (int i = 0; i < before.size(); i++) {
            MediaSection b = before.get(i);
            boolean disabled = b.isRejected() || previousAnswer.media().get(i).isRejected();
            if (!disabled && !b.type().equals(now.get(i).type())) {
                throw new SdpException(mLine(i, b) + ": new offer has " + now.get(i).type() + " in place of "
                        + b.type() + " (RFC 3264 §8)");
            }
        }
        Sdp own;
        if (offer.origin().sameSession(previousOffer.origin())) {
            own = previousOffer;
        } else if (offer.origin().sameSession(previousAnswer.origin())) {
            own = previousAnswer;
        } else {
            throw new SdpException("new offer's o= line (" + offer.origin() + ") is not the one of this party's"
                    + " earlier description except for the version (RFC 3264 §8)");
        }
        int cmp = offer.origin().compareVersion(own.origin());
        if (cmp < 0) {
            throw new SdpException("new offer's o= version " + offer.origin().sessionVersion() + " is lower than the previous "
                    + own.origin().sessionVersion() + " (RFC 3264 §8)");
        }
        if (cmp == 0 && !offer.equals(own)) {
            throw new SdpException("new offer changes the description but keeps o= version "
                    + offer.origin().sessionVersion() + " (RFC 3264 §8)");
        }
    }

    /**
     * Checks that a description has the given profile in every accepted section (port not 0),
     * e.g. what rtpengine produced for the browser ({@link Profile#WEBRTC}) or for the phone
     * ({@link Profile#PLAIN_RTP}).
     *
     * @throws SdpException naming the first m-line that does not conform, or when no section is accepted
     */
    public static void assertProfile(Sdp sdp, Profile profile) {
        boolean any = false;
        for (int i = 0; i < sdp.media().size(); i++) {
            MediaSection m = sdp.media().get(i);
            if (m.isRejected()) {
                continue;
            }
            any = true;
            String at = mLine(i, m);
            if (profile == Profile.WEBRTC) {
                boolean rtpProto = "UDP/TLS/RTP/SAVPF".equals(m.proto());
                if (!rtpProto && !"UDP/DTLS/SCTP".equals(m.proto())) {
                    throw new SdpException(at + ": proto " + m.proto() + " is not UDP/TLS/RTP/SAVPF (WebRTC profile)");
                }
                if (sdp.iceUfrag(m).isEmpty() || sdp.icePwd(m).isEmpty()) {
                    throw new SdpException(at + ": no a=ice-ufrag/a=ice-pwd (WebRTC profile, RFC 8839)");
                }
                if (sdp.fingerprints(m).isEmpty()) {
                    throw new SdpException(at + ": no a=fingerprint (WebRTC profile, RFC 8122)");
                }
                if (sdp.setup(m).isEmpty()) {
                    throw new SdpException(at + ": no a=setup (WebRTC profile, RFC 8842)");
                }
                if (rtpProto && !m.rtcpMux()) {
                    throw new SdpException(at + ": no a=rtcp-mux (WebRTC profile, RFC 8829 §5.2.1)");
                }
            } else {
                if (!"RTP/AVP".equals(m.proto())) {
                    throw new SdpException(at + ": proto " + m.proto() + " is not RTP/AVP (plain RTP profile)");
                }
                if (sdp.iceUfrag(m).isPresent() || sdp.icePwd(m).isPresent() || m.has("candidate")) {
                    throw new SdpException(at + ": ICE attributes in a plain RTP description");
                }
                if (!sdp.fingerprints(m).isEmpty()) {
                    throw new SdpException(at + ": a=fingerprint in a plain RTP description");
                }
            }
        }
        if (!any) {
            throw new SdpException("no accepted media section (every port is 0)");
        }
    }

    /** How messages name a section: 1-based, as people count m-lines. */
    static String mLine(int index, MediaSection m) {
        return "m-line " + (index + 1) + " (" + m.type() + ")";
    }
}
