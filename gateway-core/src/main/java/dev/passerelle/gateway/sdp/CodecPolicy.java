package dev.passerelle.gateway.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The operator's codec allow-list, in order of preference, applied to every offer that crosses
 * the gateway. Names compare case-insensitively (RFC 4855 §3).
 *
 * <p>Applied to an audio or video RTP section, it keeps the allowed codecs in policy order
 * (offer order among codecs of the same name, e.g. several H264 profiles) and drops the rtpmap,
 * fmtp and rtcp-fb lines of the others. Secondary formats follow what they serve:
 * {@code rtx} (RFC 4588 §8) is kept right after its kept {@code apt} codec whether listed or not;
 * {@code telephone-event} (RFC 4733 §2.5.1) and {@code CN} (RFC 3389) only when allowed and a kept
 * codec has their clock rate; {@code red} (RFC 2198) only when allowed and every format it
 * carries is kept. A section with no codec left is rejected with port 0, never removed, so the
 * m-line count and order stay (RFC 3264 §6, §8.2), and its mid leaves any BUNDLE group
 * (RFC 8843 §7.5.3). Directions and connection addresses (hold) are not touched. Other media
 * types (application, text) pass unchanged.
 *
 * @param audio allowed audio encoding names, most preferred first
 * @param video allowed video encoding names, most preferred first
 */
public record CodecPolicy(List<String> audio, List<String> video) {

    private static final Set<String> SECONDARY = Set.of("telephone-event", "cn", "rtx", "red", "ulpfec",
            "flexfec", "flexfec-03");

    public CodecPolicy {
        audio = normalize(audio, "audio");
        video = normalize(video, "video");
    }

    /** opus, G722, PCMU, PCMA, telephone-event; VP8, H264. */
    public static CodecPolicy defaults() {
        return new CodecPolicy(List.of("opus", "G722", "PCMU", "PCMA", "telephone-event"), List.of("VP8", "H264"));
    }

    private static List<String> normalize(List<String> names, String what) {
        List<String> out = new ArrayList<>(names.size());
        for (String n : names) {
            if (n == null || !Syntax.isToken(n)) {
                throw new IllegalArgumentException(what + " codec name is not an encoding name: " + n);
            }
            String lower = n.toLowerCase(Locale.ROOT);
            if (out.contains(lower)) {
                throw new IllegalArgumentException(what + " codec " + n + " is listed twice");
            }
            out.add(lower);
        }
        return List.copyOf(out);
    }

    /**
     * The offer with the policy applied to each section.
     *
     * @throws SdpException when no audio or video stream is left with a port other than 0
     */
    public Sdp apply(Sdp offer) {
        List<MediaSection> out = new ArrayList<>(offer.media().size());
        Set<String> rejectedMids = new HashSet<>();
        boolean anyLeft = false;
        for (MediaSection m : offer.media()) {
            MediaSection filtered = apply(m);
            if (filtered.isRejected() && !m.isRejected()) {
                m.mid().ifPresent(rejectedMids::add);
            }
            anyLeft |= !filtered.isRejected() && isAudioVideo(filtered);
            out.add(filtered);
        }
        if (!anyLeft) {
            throw new SdpException("no audio or video stream left after the codec policy (offered "
                    + offeredNames(offer) + "; allowed audio " + audio + ", video " + video + ")");
        }
        Sdp result = offer.withMedia(out);
        return rejectedMids.isEmpty() ? result : result.withAttributes(withoutMids(offer.attributes(), rejectedMids));
    }

    private static boolean isAudioVideo(MediaSection m) {
        return "audio".equals(m.type()) || "video".equals(m.type());
    }

    /** One section with the policy applied; unchanged when it is not an accepted audio/video RTP section. */
    MediaSection apply(MediaSection m) {
        if (m.isRejected() || !m.isRtp() || !isAudioVideo(m)) {
            return m;
        }
        List<String> allowed = "audio".equals(m.type()) ? audio : video;
        List<Codec> codecs = m.codecs();

        List<Codec> primaries = new ArrayList<>();
        for (String name : allowed) {
            if (SECONDARY.contains(name)) {
                continue;
            }
            for (Codec c : codecs) {
                if (c.key().equals(name)) {
                    primaries.add(c);
                }
            }
        }
        if (primaries.isEmpty()) {
            return reject(m);
        }
        Set<Integer> clockRates = new HashSet<>();
        Set<Integer> primaryTypes = new HashSet<>();
        for (Codec c : primaries) {
            clockRates.add(c.clockRate());
            primaryTypes.add(c.payloadType());
        }

        List<Codec> ordered = new ArrayList<>();
        for (String name : allowed) {
            for (Codec c : codecs) {
                if (!c.key().equals(name)) {
                    continue;
                }
                boolean keep = !SECONDARY.contains(name)
                        || (("telephone-event".equals(name) || "cn".equals(name)) && clockRates.contains(c.clockRate()))
                        || ("red".equals(name) && redKeepable(c, primaryTypes))
                        || "ulpfec".equals(name) || name.startsWith("flexfec");
                if (keep) {
                    ordered.add(c);
                }
            }
        }
        Map<String, List<Codec>> rtxByApt = new HashMap<>();
        for (Codec c : codecs) {
            String apt = c.isNamed("rtx") ? c.parameters().get("apt") : null;
            if (apt != null) {
                rtxByApt.computeIfAbsent(apt, k -> new ArrayList<>(1)).add(c);
            }
        }
        List<String> formats = new ArrayList<>();
        Set<Integer> kept = new HashSet<>();
        for (Codec c : ordered) {
            formats.add(Integer.toString(c.payloadType()));
            kept.add(c.payloadType());
            for (Codec rtx : rtxByApt.getOrDefault(Integer.toString(c.payloadType()), List.of())) {
                formats.add(Integer.toString(rtx.payloadType()));
                kept.add(rtx.payloadType());
            }
        }
        List<Attribute> attributes = new ArrayList<>(m.attributes().size());
        for (Attribute a : m.attributes()) {
            if (!isFormatAttribute(a) || kept.contains(Attributes.leadingPayloadType(a.value()))
                    || "*".equals(Attributes.firstField(a.value()))) {
                attributes.add(a);
            }
        }
        return m.withFormats(formats).withAttributes(attributes);
    }

    /** RFC 2198 §5: red's fmtp lists the formats it carries, e.g. {@code 111/111}. */
    private static boolean redKeepable(Codec red, Set<Integer> keptTypes) {
        if (red.fmtp() == null) {
            return true;
        }
        for (String pt : red.fmtp().split("/")) {
            int n = Attributes.leadingPayloadType(pt.trim());
            if (n < 0 || !keptTypes.contains(n)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFormatAttribute(Attribute a) {
        return a.value() != null && ("rtpmap".equals(a.name()) || "fmtp".equals(a.name()) || "rtcp-fb".equals(a.name()));
    }

    /**
     * RFC 3264 §6: a rejected stream keeps its m-line with port 0. It keeps one format (an m-line
     * needs one) with that format's rtpmap, and its mid; the rest describes a stream that is not
     * there.
     */
    static MediaSection reject(MediaSection m) {
        String first = m.formats().get(0);
        List<Attribute> attributes = new ArrayList<>(2);
        for (Attribute a : m.attributes()) {
            if ("mid".equals(a.name())
                    || "rtpmap".equals(a.name()) && a.value() != null && first.equals(Attributes.firstField(a.value()))) {
                attributes.add(a);
            }
        }
        return m.withPort(0).withFormats(List.of(first)).withAttributes(attributes);
    }

    /** Session attributes with the given mids taken out of every BUNDLE group (an emptied group goes). */
    private static List<Attribute> withoutMids(List<Attribute> attributes, Set<String> mids) {
        List<Attribute> out = new ArrayList<>(attributes.size());
        for (Attribute a : attributes) {
            if (!"group".equals(a.name()) || a.value() == null) {
                out.add(a);
                continue;
            }
            Group g = Group.parse(a.value());
            if (!g.isBundle()) {
                out.add(a);
                continue;
            }
            List<String> left = new ArrayList<>(g.mids());
            left.removeAll(mids);
            if (!left.isEmpty()) {
                out.add(Attribute.of("group", new Group(g.semantics(), left).toString()));
            }
        }
        return out;
    }

    private static String offeredNames(Sdp offer) {
        Set<String> names = new LinkedHashSet<>();
        for (MediaSection m : offer.media()) {
            if (!m.isRejected()) {
                for (Codec c : m.codecs()) {
                    names.add(c.name());
                }
            }
        }
        return names.isEmpty() ? "no codec" : String.join(", ", names);
    }
}
