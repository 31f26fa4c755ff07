package dev.passerelle.gateway.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A session description (RFC 8866 §5), immutable. Lines are kept as parsed, so that
 * {@code new SdpParser().parse(x).write()} gives back {@code x} for a canonical description
 * (CRLF after every line, no leading zeros). Typed views that a media section inherits from the
 * session level (direction, ICE, fingerprint, setup, connection) are resolved here.
 *
 * @param info       {@code i=}, null when absent
 * @param uri        {@code u=}, null when absent
 * @param connection session-level {@code c=}, null when absent
 * @param timings    at least one {@code t=} with its {@code r=} lines
 * @param zone       {@code z=} as written, null when absent
 * @param key        the obsolete {@code k=}, null when absent
 */
public record Sdp(Origin origin, String sessionName, String info, String uri, List<String> emails,
                  List<String> phones, Connection connection, List<Bandwidth> bandwidths, List<Timing> timings,
                  String zone, String key, List<Attribute> attributes, List<MediaSection> media) {

    public Sdp {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(sessionName, "sessionName");
        if (sessionName.isEmpty()) {
            throw new SdpException("s= must not be empty (RFC 8866 §5.3)");
        }
        emails = List.copyOf(emails);
        phones = List.copyOf(phones);
        bandwidths = List.copyOf(bandwidths);
        timings = List.copyOf(timings);
        if (timings.isEmpty()) {
            throw new SdpException("at least one t= line is required (RFC 8866 §5.9)");
        }
        attributes = List.copyOf(attributes);
        media = List.copyOf(media);
    }

    // ---- session-level views

    public Optional<Attribute> attribute(String name) {
        return Attributes.first(attributes, name);
    }

    public List<String> values(String name) {
        return Attributes.values(attributes, name);
    }

    /** The session-level direction attribute, if any. */
    public Optional<Direction> direction() {
        return Attributes.direction(attributes);
    }

    /** {@code a=group} lines (RFC 5888 §5). */
    public List<Group> groups() {
        List<Group> out = new ArrayList<>();
        for (String v : values("group")) {
            out.add(Group.parse(v));
        }
        return out;
    }

    /** {@code a=group:BUNDLE} lines (RFC 8843 §7.1). */
    public List<Group> bundleGroups() {
        List<Group> out = new ArrayList<>();
        for (Group g : groups()) {
            if (g.isBundle()) {
                out.add(g);
            }
        }
        return out;
    }

    // ---- effective values of a media section (media level first, then session level)

    /** The media section's direction, else the session's, else sendrecv (RFC 3264 §5.1). */
    public Direction direction(MediaSection m) {
        return m.direction().or(this::direction).orElse(Direction.SENDRECV);
    }

    /** The section's first {@code c=}, else the session's (RFC 8866 §5.7). */
    public Optional<Connection> connection(MediaSection m) {
        return m.connections().isEmpty() ? Optional.ofNullable(connection) : Optional.of(m.connections().get(0));
    }

    public Optional<String> iceUfrag(MediaSection m) {
        return m.iceUfrag().or(() -> Attributes.value(attributes, "ice-ufrag"));
    }

    public Optional<String> icePwd(MediaSection m) {
        return m.icePwd().or(() -> Attributes.value(attributes, "ice-pwd"));
    }

    public List<String> iceOptions(MediaSection m) {
        List<String> own = m.iceOptions();
        return own.isEmpty() ? Attributes.iceOptions(attributes) : own;
    }

    /** The section's fingerprints, else the session's (RFC 8122 §5). */
    public List<Fingerprint> fingerprints(MediaSection m) {
        List<Fingerprint> own = m.fingerprints();
        return own.isEmpty() ? Attributes.fingerprints(attributes) : own;
    }

    public Optional<SetupRole> setup(MediaSection m) {
        return m.setup().or(() -> Attributes.value(attributes, "setup").map(SetupRole::parse));
    }

    /**
     * A WebRTC section: a DTLS-SRTP profile ({@code UDP/TLS/RTP/SAVPF}, {@code TCP/DTLS/RTP/SAVPF},
     * or DTLS/SCTP for data) with a fingerprint and ICE credentials (RFC 8827 §6.5, RFC 8839).
     */
    public boolean isWebRtc(MediaSection m) {
        String p = m.proto();
        boolean dtls = p.contains("DTLS") || p.startsWith("UDP/TLS/") || p.startsWith("TCP/TLS/");
        return dtls && (p.endsWith("/SAVPF") || p.endsWith("/SCTP"))
                && !fingerprints(m).isEmpty() && iceUfrag(m).isPresent() && icePwd(m).isPresent();
    }

    /** A plain RTP section: RTP/AVP, no ICE credentials, no fingerprint. */
    public boolean isPlainRtp(MediaSection m) {
        return "RTP/AVP".equals(m.proto()) && fingerprints(m).isEmpty()
                && iceUfrag(m).isEmpty() && icePwd(m).isEmpty() && !m.has("candidate");
    }

    // ---- transformations

    public Sdp withOrigin(Origin newOrigin) {
        return new Sdp(newOrigin, sessionName, info, uri, emails, phones, connection, bandwidths, timings,
                zone, key, attributes, media);
    }

    public Sdp withConnection(Connection newConnection) {
        return new Sdp(origin, sessionName, info, uri, emails, phones, newConnection, bandwidths, timings,
                zone, key, attributes, media);
    }

    public Sdp withAttributes(List<Attribute> newAttributes) {
        return new Sdp(origin, sessionName, info, uri, emails, phones, connection, bandwidths, timings,
                zone, key, newAttributes, media);
    }

    public Sdp withMedia(List<MediaSection> newMedia) {
        return new Sdp(origin, sessionName, info, uri, emails, phones, connection, bandwidths, timings,
                zone, key, attributes, newMedia);
    }

    /** This description with the media section at {@code index} replaced. */
    public Sdp withMedia(int index, MediaSection section) {
        List<MediaSection> copy = new ArrayList<>(media);
        copy.set(index, section);
        return withMedia(copy);
    }

    // ---- writing

    /** The canonical text: RFC 8866 §5 line order, CRLF after every line. */
    public String write() {
        StringBuilder b = new StringBuilder(1024);
        line(b, 'v', "0");
        line(b, 'o', origin.toString());
        line(b, 's', sessionName);
        optional(b, 'i', info);
        optional(b, 'u', uri);
        for (String e : emails) {
            line(b, 'e', e);
        }
        for (String p : phones) {
            line(b, 'p', p);
        }
        if (connection != null) {
            line(b, 'c', connection.toString());
        }
        for (Bandwidth bw : bandwidths) {
            line(b, 'b', bw.toString());
        }
        for (Timing t : timings) {
            b.append("t=").append(t.start()).append(' ').append(t.stop()).append("\r\n");
            for (String r : t.repeats()) {
                line(b, 'r', r);
            }
        }
        optional(b, 'z', zone);
        optional(b, 'k', key);
        attributes(b, attributes);
        for (MediaSection m : media) {
            b.append("m=").append(m.type()).append(' ').append(m.port());
            if (m.portCount() != null) {
                b.append('/').append(m.portCount());
            }
            b.append(' ').append(m.proto());
            for (String f : m.formats()) {
                b.append(' ').append(f);
            }
            b.append("\r\n");
            optional(b, 'i', m.info());
            for (Connection c : m.connections()) {
                line(b, 'c', c.toString());
            }
            for (Bandwidth bw : m.bandwidths()) {
                line(b, 'b', bw.toString());
            }
            optional(b, 'k', m.key());
            attributes(b, m.attributes());
        }
        return b.toString();
    }

    /** The same as {@link #write()}: the description's text. */
    @Override
    public String toString() {
        return write();
    }

    private static void attributes(StringBuilder b, List<Attribute> attributes) {
        for (Attribute a : attributes) {
            b.append("a=").append(a.name());
            if (a.value() != null) {
                b.append(':').append(a.value());
            }
            b.append("\r\n");
        }
    }

    private static void optional(StringBuilder b, char type, String value) {
        if (value != null) {
            line(b, type, value);
        }
    }

    private static void line(StringBuilder b, char type, String value) {
        b.append(type).append('=').append(value).append("\r\n");
    }
}
