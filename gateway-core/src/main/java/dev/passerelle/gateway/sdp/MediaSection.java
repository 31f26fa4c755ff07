package dev.passerelle.gateway.sdp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One media description (RFC 8866 §5.14): the {@code m=} line and its {@code i=}, {@code c=},
 * {@code b=}, {@code k=} and {@code a=} lines. Attributes are kept in order as written; the
 * typed views below are computed from them and see only this section (for the values a section
 * inherits from the session, ask {@link Sdp}).
 *
 * @param portCount null when the m= line has no {@code /<number of ports>}
 * @param info      null when absent
 * @param key       the obsolete {@code k=} value, null when absent
 */
public record MediaSection(String type, int port, Integer portCount, String proto, List<String> formats,
                           String info, List<Connection> connections, List<Bandwidth> bandwidths, String key,
                           List<Attribute> attributes) {

    public MediaSection {
        Syntax.token(Objects.requireNonNull(type, "type"), "media type");
        if (port < 0 || port > 65535) {
            throw new SdpException("port is not a number 0-65535");
        }
        if (portCount != null && (portCount < 1 || portCount > 65535)) {
            throw new SdpException("number of ports is not a number 1-65535");
        }
        checkProto(Objects.requireNonNull(proto, "proto"));
        formats = List.copyOf(formats);
        if (formats.isEmpty()) {
            throw new SdpException("m= line needs at least one format (RFC 8866 §5.14)");
        }
        boolean rtp = isRtpProto(proto);
        Set<String> distinct = new HashSet<>();
        for (String f : formats) {
            String canonical = rtp ? Integer.toString(Syntax.intNumber(f, 0, 127, "payload type")) : Syntax.token(f, "format");
            if (!distinct.add(canonical)) {
                throw new SdpException("format " + f + " appears twice on the m= line");
            }
        }
        connections = List.copyOf(connections);
        bandwidths = List.copyOf(bandwidths);
        attributes = List.copyOf(attributes);
    }

    /** RFC 8866 §9: proto = token *("/" token). */
    static String checkProto(String proto) {
        int start = 0;
        for (int i = 0; i <= proto.length(); i++) {
            if (i == proto.length() || proto.charAt(i) == '/') {
                if (!Syntax.isToken(proto.substring(start, i))) {
                    throw new SdpException("proto is not token *(\"/\" token) (RFC 8866 §9)");
                }
                start = i + 1;
            }
        }
        return proto;
    }

    static boolean isRtpProto(String proto) {
        return proto.startsWith("RTP/") || proto.contains("/RTP/");
    }

    /** Whether the formats are RTP payload types (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF …). */
    public boolean isRtp() {
        return isRtpProto(proto);
    }

    /** Port 0: a stream rejected in an answer or removed in an offer (RFC 3264 §6, §8.2). */
    public boolean isRejected() {
        return port == 0;
    }

    // ---- typed views

    /** First attribute of that name. */
    public Optional<Attribute> attribute(String name) {
        return Attributes.first(attributes, name);
    }

    /** Values of every attribute of that name, in order. */
    public List<String> values(String name) {
        return Attributes.values(attributes, name);
    }

    public boolean has(String name) {
        return Attributes.first(attributes, name).isPresent();
    }

    /**
     * The RTP payload formats in m= line order; empty for a non-RTP proto. A dynamic payload type
     * always has its rtpmap (the parser refuses one without), a static one falls back to the
     * RFC 3551 table.
     */
    public List<Codec> codecs() {
        if (!isRtp()) {
            return List.of();
        }
        // One pass over the attributes, indexed by payload type; the first rtpmap/fmtp of a type counts.
        Codec[] maps = new Codec[128];
        String[] fmtps = new String[128];
        List<List<String>> feedback = new ArrayList<>(128);
        for (int i = 0; i < 128; i++) {
            feedback.add(null);
        }
        List<String> forAll = new ArrayList<>();
        for (Attribute a : attributes) {
            if (a.value() == null) {
                continue;
            }
            switch (a.name()) {
                case "rtpmap":
                    int pt = Attributes.leadingPayloadType(a.value());
                    if (pt >= 0 && pt < 128 && maps[pt] == null) {
                        maps[pt] = Codec.parseRtpmap(a.value());
                    }
                    break;
                case "fmtp":
                    int f = Attributes.leadingPayloadType(a.value());
                    if (f >= 0 && f < 128 && fmtps[f] == null) {
                        fmtps[f] = Attributes.rest(a.value());
                    }
                    break;
                case "rtcp-fb":
                    String target = Attributes.firstField(a.value());
                    int fb = Attributes.leadingPayloadType(target);
                    if ("*".equals(target)) {
                        forAll.add(Attributes.rest(a.value()));
                    } else if (fb >= 0 && fb < 128) {
                        if (feedback.get(fb) == null) {
                            feedback.set(fb, new ArrayList<>(4));
                        }
                        feedback.get(fb).add(Attributes.rest(a.value()));
                    }
                    break;
                default:
                    break;
            }
        }
        List<Codec> out = new ArrayList<>(formats.size());
        for (String f : formats) {
            int pt = Integer.parseInt(f);
            Codec base = maps[pt] != null ? maps[pt] : Codec.staticType(pt);
            if (base == null) {
                throw new SdpException("payload type " + pt + " has no a=rtpmap (RFC 8866 §6.6)");
            }
            List<String> fb = feedback.get(pt) == null ? List.of() : feedback.get(pt);
            if (!forAll.isEmpty()) {
                fb = new ArrayList<>(fb);
                fb.addAll(forAll);
            }
            out.add(new Codec(pt, base.name(), base.clockRate(), base.channels(), fmtps[pt], fb));
        }
        return out;
    }

    /** This section's own direction attribute; see {@link Sdp#direction(MediaSection)} for the effective one. */
    public Optional<Direction> direction() {
        return Attributes.direction(attributes);
    }

    /** {@code a=mid} (RFC 5888 §4). */
    public Optional<String> mid() {
        return Attributes.value(attributes, "mid");
    }

    public Optional<String> iceUfrag() {
        return Attributes.value(attributes, "ice-ufrag");
    }

    public Optional<String> icePwd() {
        return Attributes.value(attributes, "ice-pwd");
    }

    /** {@code a=ice-options} tags (RFC 8839 §5.6), e.g. {@code trickle}. */
    public List<String> iceOptions() {
        return Attributes.iceOptions(attributes);
    }

    /** {@code a=candidate} lines (RFC 8839 §5.1) in order. */
    public List<Candidate> candidates() {
        List<Candidate> out = new ArrayList<>();
        for (String v : values("candidate")) {
            out.add(Candidate.parse(v));
        }
        return out;
    }

    /** {@code a=fingerprint} lines of this section (RFC 8122 §5). */
    public List<Fingerprint> fingerprints() {
        return Attributes.fingerprints(attributes);
    }

    /** {@code a=setup} of this section (RFC 4145 §4, RFC 8842 §5). */
    public Optional<SetupRole> setup() {
        return Attributes.value(attributes, "setup").map(SetupRole::parse);
    }

    /** {@code a=ssrc} lines (RFC 5576 §4.1) in order. */
    public List<Ssrc> ssrcs() {
        List<Ssrc> out = new ArrayList<>();
        for (String v : values("ssrc")) {
            out.add(Ssrc.parse(v));
        }
        return out;
    }

    /** {@code a=rtcp-mux} (RFC 5761 §5.1.1). */
    public boolean rtcpMux() {
        return has("rtcp-mux");
    }

    // ---- transformations

    public MediaSection withPort(int newPort) {
        return new MediaSection(type, newPort, portCount, proto, formats, info, connections, bandwidths, key, attributes);
    }

    public MediaSection withFormats(List<String> newFormats) {
        return new MediaSection(type, port, portCount, proto, newFormats, info, connections, bandwidths, key, attributes);
    }

    public MediaSection withAttributes(List<Attribute> newAttributes) {
        return new MediaSection(type, port, portCount, proto, formats, info, connections, bandwidths, key, newAttributes);
    }

    public MediaSection withConnections(List<Connection> newConnections) {
        return new MediaSection(type, port, portCount, proto, formats, info, newConnections, bandwidths, key, attributes);
    }

    public MediaSection withProto(String newProto) {
        return new MediaSection(type, port, portCount, newProto, formats, info, connections, bandwidths, key, attributes);
    }

    /** This section with its direction attribute replaced (in place) or, if it had none, appended. */
    public MediaSection withDirection(Direction direction) {
        return withAttributes(Attributes.withDirection(attributes, direction));
    }
}
