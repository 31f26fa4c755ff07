package dev.passerelle.gateway.sdp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Strict, bounded RFC 8866 parser. It refuses, with the line and the reason, anything it does not
 * fully understand: line types out of the §5 order, unknown line types (§5: a parser must ignore
 * a description whose type letter it does not understand), blanks around {@code =}, numbers out
 * of range (never overflowing), tokens outside the §9 grammar, control characters, invalid
 * UTF-8, attributes that need a value and have none, rtpmap/fmtp for formats not on the m= line,
 * dynamic payload types without rtpmap, and media without a connection address. Line ends are
 * CRLF or LF; a CR elsewhere is refused.
 *
 * <p>The parser holds only its limits: one instance serves any number of threads.
 */
public final class SdpParser {

    private final SdpLimits limits;

    public SdpParser(SdpLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public SdpParser() {
        this(SdpLimits.defaults());
    }

    /** Parses a body received as bytes (a SIP message body): it must be UTF-8 text. */
    public Sdp parse(byte[] body) {
        Objects.requireNonNull(body, "body");
        if (body.length > limits.maxBytes()) {
            throw tooLarge(body.length);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(body.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < at; i++) {
                if (body[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new SdpException(line, null, "invalid UTF-8 at byte " + (at - lineStart + 1) + " of the line");
        }
        decoder.flush(out);
        out.flip();
        return new Run(out.toString(), limits).parse();
    }

    /** Parses a body received as text (a JSON-RPC string). */
    public Sdp parse(String body) {
        Objects.requireNonNull(body, "body");
        if (body.length() > limits.maxBytes()) {
            throw tooLarge(body.length());
        }
        long bytes = utf8Length(body);
        if (bytes > limits.maxBytes()) {
            throw tooLarge(bytes);
        }
        return new Run(body, limits).parse();
    }

    private SdpException tooLarge(long size) {
        return new SdpException("body of " + size + " bytes exceeds the limit of " + limits.maxBytes() + " bytes");
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    /** Per-line state of one parse; thrown away afterwards. */
    private static final class Run {
        /** RFC 8866 §5 session-level order; r= may repeat after t=, t= after r=. */
        private static final String SESSION_ORDER = "vosiuepcbtrzkam";
        private static final String MEDIA_ORDER = "micbka";
        private static final String SESSION_SINGLE = "vosiuczk";
        /** A media section may have several c= lines (RFC 8866 §5.7, layered multicast). */
        private static final String MEDIA_SINGLE = "ik";

        private final String text;
        private final SdpLimits limits;
        private int pos;
        private int lineNo;
        private String line;
        private char type;
        private String value;

        private int rank = -1;
        private int seen;
        private Origin origin;
        private String sessionName;
        private String info;
        private String uri;
        private final List<String> emails = new ArrayList<>();
        private final List<String> phones = new ArrayList<>();
        private Connection connection;
        private final List<Bandwidth> bandwidths = new ArrayList<>();
        private final List<Timing> timings = new ArrayList<>();
        private long tStart;
        private long tStop;
        private List<String> repeats;
        private String zone;
        private String key;
        private final Level session = new Level(0, null);
        private final List<MediaSection> media = new ArrayList<>();
        private final List<Level> mediaLevels = new ArrayList<>();
        private Level current;
        private final Set<String> mids = new HashSet<>();
        private final List<GroupLine> groups = new ArrayList<>();

        Run(String text, SdpLimits limits) {
            this.text = text;
            this.limits = limits;
        }

        Sdp parse() {
            if (text.isEmpty()) {
                throw new SdpException("empty session description");
            }
            while (next()) {
                try {
                    shape();
                    preamble();
                    if (current == null && type != 'm') {
                        sessionLine();
                    } else {
                        mediaLine();
                    }
                } catch (SdpException e) {
                    if (e.line() != 0) {
                        throw e;
                    }
                    throw new SdpException(lineNo, line, e.reason());
                }
            }
            return finish();
        }

        /** Reads the next line into {@link #line}; false at the end. */
        private boolean next() {
            if (pos >= text.length()) {
                return false;
            }
            lineNo++;
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? text.length() : nl;
            if (nl >= 0 && end > pos && text.charAt(end - 1) == '\r') {
                end--;
            }
            line = text.substring(pos, end);
            pos = nl < 0 ? text.length() : nl + 1;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\r') {
                    throw new SdpException(lineNo, line, "CR without LF at column " + (i + 1)
                            + " (lines end with CRLF or LF, RFC 8866 §5)");
                }
                if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                    throw new SdpException(lineNo, line, "control character " + SdpException.escape(c)
                            + " at column " + (i + 1));
                }
                if (Character.isHighSurrogate(c) && i + 1 < line.length() && Character.isLowSurrogate(line.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw new SdpException(lineNo, line, "unpaired surrogate at column " + (i + 1) + " (not UTF-8 text)");
                }
            }
            return true;
        }

        /** RFC 8866 §5: {@code <type>=<value>}, one lower-case letter, no blank around '='. */
        private void shape() {
            if (line.isEmpty()) {
                throw new SdpException("empty line (RFC 8866 §5)");
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new SdpException("line starts with whitespace (RFC 8866 §5)");
            }
            if (line.length() >= 2 && line.charAt(1) != '=' && line.indexOf('=') > 0
                    && line.substring(1, line.indexOf('=')).isBlank()) {
                throw new SdpException("whitespace before '=' (RFC 8866 §5)");
            }
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
                throw new SdpException("not a <type>=<value> line (RFC 8866 §5)");
            }
            type = line.charAt(0);
            if (SESSION_ORDER.indexOf(type) < 0) {
                throw new SdpException("unknown line type '" + type + "' (RFC 8866 §5)");
            }
            value = line.substring(2);
            if (value.isEmpty()) {
                throw new SdpException(type + "= line has an empty value (RFC 8866 §5)");
            }
            boolean text = type == 's' || type == 'i' || type == 'e' || type == 'p' || type == 'k';
            if (!text && (value.charAt(0) == ' ' || value.charAt(0) == '\t')) {
                throw new SdpException("whitespace after '=' (RFC 8866 §5)");
            }
        }

        /** RFC 8866 §5: every description starts with v=, o=, s= in that order. */
        private void preamble() {
            if (current != null) {
                return;
            }
            if (lineNo == 1 && type != 'v') {
                throw new SdpException("first line must be v=0 (RFC 8866 §5.1)");
            }
            if (rank == 0 && type != 'o') {
                throw new SdpException("o= line expected after v= (RFC 8866 §5.2)");
            }
            if (rank == 1 && type != 's') {
                throw new SdpException("s= line expected after o= (RFC 8866 §5.3)");
            }
        }

        private void sessionLine() {
            order(true);
            switch (type) {
                case 'v':
                    if (!"0".equals(value)) {
                        throw new SdpException("version must be 0 (RFC 8866 §5.1)");
                    }
                    break;
                case 'o':
                    origin = origin(value);
                    break;
                case 's':
                    sessionName = value;
                    break;
                case 'i':
                    info = value;
                    break;
                case 'u':
                    uri = Syntax.nonWs(value, "u= uri");
                    break;
                case 'e':
                    emails.add(value);
                    break;
                case 'p':
                    phones.add(value);
                    break;
                case 'c':
                    connection = connection(value);
                    break;
                case 'b':
                    bandwidths.add(bandwidth(value));
                    break;
                case 't':
                    closeTiming();
                    List<String> f = Syntax.fields(value, "t=");
                    if (f.size() != 2) {
                        throw new SdpException("t= needs a start and a stop time (RFC 8866 §5.9)");
                    }
                    tStart = Syntax.number(f.get(0), 0, 9_999_999_999L, "start time");
                    tStop = Syntax.number(f.get(1), 0, 9_999_999_999L, "stop time");
                    repeats = new ArrayList<>();
                    break;
                case 'r':
                    repeats.add(repeat(value));
                    break;
                case 'z':
                    zone = zone(value);
                    break;
                case 'k':
                    key = value;
                    break;
                case 'a':
                    attribute(session);
                    break;
                default:
                    throw new IllegalStateException("unreachable line type " + type);
            }
        }

        /** RFC 8866 §5 order and cardinality of the line types of one level. */
        private void order(boolean session) {
            int r = (session ? SESSION_ORDER : MEDIA_ORDER).indexOf(type);
            if (r < 0) {
                throw new SdpException(type + "= line is not allowed in a media section (RFC 8866 §5)");
            }
            if ((session ? SESSION_SINGLE : MEDIA_SINGLE).indexOf(type) >= 0 && (seen & (1 << (type - 'a'))) != 0) {
                throw new SdpException("second " + type + "= line (RFC 8866 §5)");
            }
            if (session && type == 'r') {
                if (rank != SESSION_ORDER.indexOf('t') && rank != r) {
                    throw new SdpException("r= line must follow a t= line (RFC 8866 §5.10)");
                }
            } else if (session && type == 't' && rank == SESSION_ORDER.indexOf('r')) {
                r = SESSION_ORDER.indexOf('t');
            } else if (r < rank) {
                throw new SdpException(type + "= line out of order (RFC 8866 §5)");
            }
            if (session && r > SESSION_ORDER.indexOf('r') && timings.isEmpty() && repeats == null) {
                throw new SdpException("t= line missing before this line (RFC 8866 §5.9)");
            }
            seen |= 1 << (type - 'a');
            rank = r;
        }

        private void mediaLine() {
            if (type == 'm') {
                if (current == null) {
                    order(true);
                    closeTiming();
                } else {
                    closeMedia();
                }
                if (media.size() + 1 > limits.maxMediaSections()) {
                    throw new SdpException("more than " + limits.maxMediaSections() + " media sections");
                }
                current = new Level(lineNo, line);
                mediaLevels.add(current);
                mLine(current, value);
                rank = 0;
                seen = 1 << ('m' - 'a');
                return;
            }
            order(false);
            switch (type) {
                case 'i':
                    current.info = value;
                    break;
                case 'c':
                    current.connections.add(connection(value));
                    break;
                case 'b':
                    current.bandwidths.add(bandwidth(value));
                    break;
                case 'k':
                    current.key = value;
                    break;
                case 'a':
                    attribute(current);
                    break;
                default:
                    throw new IllegalStateException("unreachable line type " + type);
            }
        }

        private void closeTiming() {
            if (repeats != null) {
                timings.add(new Timing(tStart, tStop, repeats));
                repeats = null;
            }
        }

        /** RFC 8866 §5.14: {@code m=<media> <port>[/<number of ports>] <proto> <fmt> ...}. */
        private void mLine(Level level, String v) {
            List<String> f = Syntax.fields(v, "m=");
            if (f.size() < 4) {
                throw new SdpException("m= needs media, port, proto and at least one format (RFC 8866 §5.14)");
            }
            level.type = Syntax.token(f.get(0), "media type");
            String p = f.get(1);
            int slash = p.indexOf('/');
            level.port = Syntax.intNumber(slash < 0 ? p : p.substring(0, slash), 0, 65535, "port");
            level.portCount = slash < 0 ? null : Syntax.intNumber(p.substring(slash + 1), 1, 65535, "number of ports");
            level.proto = MediaSection.checkProto(f.get(2));
            level.formats = f.subList(3, f.size());
            level.rtp = MediaSection.isRtpProto(level.proto);
            for (String fmt : level.formats) {
                if (level.rtp) {
                    int pt = Syntax.intNumber(fmt, 0, 127, "payload type");
                    if (level.inFormats[pt]) {
                        throw new SdpException("payload type " + pt + " appears twice on the m= line");
                    }
                    level.inFormats[pt] = true;
                } else if (!level.formatSet.add(Syntax.token(fmt, "format"))) {
                    throw new SdpException("format " + fmt + " appears twice on the m= line");
                }
            }
        }

        private void closeMedia() {
            Level m = current;
            if (m.rtp) {
                for (String fmt : m.formats) {
                    int pt = Integer.parseInt(fmt);
                    if (!m.mapped[pt] && Codec.staticType(pt) == null) {
                        throw new SdpException(m.line, m.text, "payload type " + pt + " has no a=rtpmap (RFC 8866 §6.6)");
                    }
                }
            }
            try {
                media.add(new MediaSection(m.type, m.port, m.portCount, m.proto, m.formats, m.info,
                        m.connections, m.bandwidths, m.key, m.attributes));
            } catch (SdpException e) {
                throw new SdpException(m.line, m.text, e.reason());
            }
        }

        private Sdp finish() {
            if (rank < 2 && current == null) {
                String expected = lineNo == 1 && rank < 0 ? "v=" : rank <= 0 ? "o=" : "s=";
                throw new SdpException(lineNo + 1, null, expected + " line expected, found the end of the description (RFC 8866 §5)");
            }
            closeTiming();
            if (timings.isEmpty()) {
                throw new SdpException(lineNo + 1, null, "t= line missing, found the end of the description (RFC 8866 §5.9)");
            }
            if (current != null) {
                closeMedia();
            }
            if (connection == null) {
                for (Level m : mediaLevels) {
                    if (m.connections.isEmpty()) {
                        throw new SdpException(m.line, m.text,
                                "no c= line in this media section nor at session level (RFC 8866 §5.7)");
                    }
                }
            }
            for (GroupLine g : groups) {
                for (String mid : g.group().mids()) {
                    if (!mids.contains(mid)) {
                        throw new SdpException(g.line(), g.text(),
                                "group names mid " + mid + " that no media section has (RFC 5888 §5)");
                    }
                }
            }
            return new Sdp(origin, sessionName, info, uri, emails, phones, connection, bandwidths, timings,
                    zone, key, session.attributes, media);
        }

        // ---- line values

        /** RFC 8866 §5.2: {@code o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>}. */
        private static Origin origin(String v) {
            List<String> f = Syntax.fields(v, "o=");
            if (f.size() != 6) {
                throw new SdpException("o= needs 6 fields: username sess-id sess-version nettype addrtype address (RFC 8866 §5.2)");
            }
            Origin o = new Origin(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5));
            if ("IP4".equals(o.addrType()) || "IP6".equals(o.addrType())) {
                Syntax.host(o.address(), "o= address");
            }
            return o;
        }

        /** RFC 8866 §5.7: {@code c=<nettype> <addrtype> <connection-address>}. */
        private static Connection connection(String v) {
            List<String> f = Syntax.fields(v, "c=");
            if (f.size() != 3) {
                throw new SdpException("c= needs nettype, addrtype and address (RFC 8866 §5.7)");
            }
            String addrType = f.get(1);
            String a = f.get(2);
            if (!"IP4".equals(addrType) && !"IP6".equals(addrType)) {
                return new Connection(f.get(0), addrType, a, null, null);
            }
            String[] parts = a.split("/", -1);
            Integer ttl = null;
            Integer count = null;
            if ("IP4".equals(addrType)) {
                if (parts.length > 3) {
                    throw new SdpException("c= address has more than address/ttl/count (RFC 8866 §5.7)");
                }
                if (parts.length >= 2) {
                    ttl = Syntax.intNumber(parts[1], 0, 255, "c= ttl");
                }
                if (parts.length == 3) {
                    count = Syntax.intNumber(parts[2], 1, 65535, "c= number of addresses");
                }
            } else {
                if (parts.length > 2) {
                    throw new SdpException("c= IPv6 address has more than address/count (RFC 8866 §5.7)");
                }
                if (parts.length == 2) {
                    count = Syntax.intNumber(parts[1], 1, 65535, "c= number of addresses");
                }
            }
            return new Connection(f.get(0), addrType, parts[0], ttl, count);
        }

        /** RFC 8866 §5.8: {@code b=<bwtype>:<bandwidth>}. */
        private static Bandwidth bandwidth(String v) {
            int colon = v.indexOf(':');
            if (colon < 0) {
                throw new SdpException("b= needs <bwtype>:<bandwidth> (RFC 8866 §5.8)");
            }
            return new Bandwidth(Syntax.token(v.substring(0, colon), "b= bwtype"),
                    Syntax.number(v.substring(colon + 1), 0, Bandwidth.MAX, "bandwidth"));
        }

        /** RFC 8866 §5.10: {@code r=<repeat interval> <active duration> <offsets from start-time>}. */
        private static String repeat(String v) {
            List<String> f = Syntax.fields(v, "r=");
            if (f.size() < 3) {
                throw new SdpException("r= needs an interval, a duration and at least one offset (RFC 8866 §5.10)");
            }
            if (f.get(0).charAt(0) == '0') {
                throw new SdpException("r= repeat interval must not start with 0 (RFC 8866 §9)");
            }
            for (String t : f) {
                typedTime(t, "r= time");
            }
            return v;
        }

        /** RFC 8866 §5.11: {@code z=<adjustment time> <offset> ...}, offsets signed typed times. */
        private static String zone(String v) {
            List<String> f = Syntax.fields(v, "z=");
            if (f.size() % 2 != 0) {
                throw new SdpException("z= needs pairs of adjustment time and offset (RFC 8866 §5.11)");
            }
            for (int i = 0; i < f.size(); i += 2) {
                Syntax.number(f.get(i), 0, 9_999_999_999L, "z= adjustment time");
                String off = f.get(i + 1);
                typedTime(off.startsWith("-") ? off.substring(1) : off, "z= offset");
            }
            return v;
        }

        /** RFC 8866 §9: typed-time = 1*DIGIT [fixed-len-time-unit], unit one of d h m s. */
        private static void typedTime(String t, String what) {
            char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            String digits = last == 'd' || last == 'h' || last == 'm' || last == 's' ? t.substring(0, t.length() - 1) : t;
            Syntax.number(digits, 0, 9_999_999_999L, what);
        }

        // ---- attributes

        private static final Set<String> FLAGS = Set.of("sendrecv", "sendonly", "recvonly", "inactive", "rtcp-mux",
                "rtcp-mux-only", "rtcp-rsize", "ice-lite", "ice-mismatch", "bundle-only", "extmap-allow-mixed",
                "end-of-candidates");
        private static final Set<String> NEED_VALUE = Set.of("rtpmap", "fmtp", "rtcp-fb", "fingerprint", "setup",
                "candidate", "remote-candidates", "group", "mid", "ssrc", "ssrc-group", "ice-ufrag", "ice-pwd",
                "ice-options", "ice-pacing", "msid", "msid-semantic", "extmap", "rtcp", "ptime", "maxptime", "rid",
                "simulcast", "crypto", "curr", "des", "conf", "sctp-port", "sctpmap", "max-message-size", "tls-id",
                "framerate", "quality", "lang", "sdplang", "charset", "orient", "type", "cat", "keywds", "tool",
                "label", "content", "identity", "connection");
        private static final Set<String> MEDIA_ONLY = Set.of("rtpmap", "fmtp", "rtcp-fb", "candidate", "mid", "ssrc",
                "ssrc-group", "rtcp", "rid", "simulcast", "ptime", "maxptime", "sctp-port", "max-message-size",
                "bundle-only", "end-of-candidates", "remote-candidates", "curr", "des", "conf");

        /** RFC 8866 §5.13: {@code a=<attribute>} or {@code a=<attribute>:<value>}. */
        private void attribute(Level level) {
            int colon = value.indexOf(':');
            String name = colon < 0 ? value : value.substring(0, colon);
            String v = colon < 0 ? null : value.substring(colon + 1);
            if (!Syntax.isToken(name)) {
                throw new SdpException("attribute name is not a token (RFC 8866 §9)");
            }
            if (v != null && v.isEmpty()) {
                throw new SdpException("attribute " + name + " has an empty value (RFC 8866 §5.13)");
            }
            if (v != null && FLAGS.contains(name)) {
                throw new SdpException("attribute " + name + " takes no value");
            }
            if (v == null && NEED_VALUE.contains(name)) {
                throw new SdpException("attribute " + name + " needs a value");
            }
            boolean atMedia = level != session;
            if (!atMedia && MEDIA_ONLY.contains(name)) {
                throw new SdpException("attribute " + name + " is only allowed in a media section");
            }
            switch (name) {
                case "rtpmap":
                    rtpmap(level, v);
                    break;
                case "fmtp":
                case "rtcp-fb":
                    formatReference(level, name, v);
                    break;
                case "fingerprint":
                    Fingerprint.parse(v);
                    break;
                case "setup":
                    SetupRole.parse(v);
                    once(level, name);
                    break;
                case "candidate":
                    Candidate.parse(v);
                    break;
                case "group":
                    if (atMedia) {
                        throw new SdpException("attribute group is only allowed at session level (RFC 5888 §5)");
                    }
                    groups.add(new GroupLine(lineNo, line, Group.parse(v)));
                    break;
                case "mid":
                    Syntax.token(v, "mid");
                    once(level, name);
                    if (!mids.add(v)) {
                        throw new SdpException("mid " + v + " is already used by another media section (RFC 5888 §4)");
                    }
                    break;
                case "ssrc":
                    Ssrc.parse(v);
                    break;
                case "ice-ufrag":
                    Syntax.iceChars(v, 4, 256, "ice-ufrag");
                    once(level, name);
                    break;
                case "ice-pwd":
                    Syntax.iceChars(v, 22, 256, "ice-pwd");
                    once(level, name);
                    break;
                case "ice-options":
                    for (String tag : Syntax.fields(v, "ice-options")) {
                        Syntax.token(tag, "ice-options tag");
                    }
                    break;
                case "extmap":
                    extmap(v);
                    break;
                case "sendrecv":
                case "sendonly":
                case "recvonly":
                case "inactive":
                    once(level, "direction");
                    break;
                default:
                    break;
            }
            level.attributes.add(new Attribute(name, v));
        }

        private static void once(Level level, String what) {
            if (!level.once.add(what)) {
                throw new SdpException("second " + what + " attribute at the same level");
            }
        }

        /** RFC 8866 §6.6: the payload type must be on the m= line and mapped once. */
        private static void rtpmap(Level level, String v) {
            if (!level.rtp) {
                throw new SdpException("rtpmap in a media section whose proto is not RTP (RFC 8866 §6.6)");
            }
            Codec c = Codec.parseRtpmap(v);
            int pt = c.payloadType();
            if (!level.inFormats[pt]) {
                throw new SdpException("payload type " + pt + " is not on the m= line (RFC 8866 §6.6)");
            }
            if (level.mapped[pt]) {
                throw new SdpException("second rtpmap for payload type " + pt);
            }
            level.mapped[pt] = true;
        }

        /** RFC 8866 §6.15 fmtp and RFC 4585 §4.2 rtcp-fb: a format of the m= line (or * for rtcp-fb), then parameters. */
        private static void formatReference(Level level, String name, String v) {
            int sp = v.indexOf(' ');
            if (sp <= 0 || sp == v.length() - 1) {
                throw new SdpException(name + " needs a format and parameters");
            }
            String fmt = v.substring(0, sp);
            if ("rtcp-fb".equals(name) && "*".equals(fmt)) {
                return;
            }
            if (level.rtp) {
                int pt = Syntax.intNumber(fmt, 0, 127, "payload type");
                if (!level.inFormats[pt]) {
                    throw new SdpException("payload type " + pt + " of " + name + " is not on the m= line");
                }
            } else if (!level.formatSet.contains(fmt)) {
                throw new SdpException("format " + fmt + " of " + name + " is not on the m= line");
            }
        }

        /** RFC 8285 §8: {@code <id>[/<direction>] <URI> [<extension attributes>]}, id 1-255. */
        private static void extmap(String v) {
            int sp = v.indexOf(' ');
            if (sp <= 0 || sp == v.length() - 1) {
                throw new SdpException("extmap needs an id and a URI (RFC 8285 §8)");
            }
            String id = v.substring(0, sp);
            int slash = id.indexOf('/');
            Syntax.intNumber(slash < 0 ? id : id.substring(0, slash), 1, 255, "extmap id");
            if (slash >= 0 && Direction.ofAttribute(id.substring(slash + 1)).isEmpty()) {
                throw new SdpException("extmap direction is not sendrecv, sendonly, recvonly or inactive (RFC 8285 §8)");
            }
        }
    }

    /** An a=group line, checked against the mids once every section is read. */
    private record GroupLine(int line, String text, Group group) {}

    /** What one level (session or one media section) has collected so far. */
    private static final class Level {
        final int line;
        final String text;
        final List<Attribute> attributes = new ArrayList<>();
        final Set<String> once = new HashSet<>(4);
        String type;
        int port;
        Integer portCount;
        String proto;
        List<String> formats = List.of();
        boolean rtp;
        final boolean[] inFormats = new boolean[128];
        final boolean[] mapped = new boolean[128];
        final Set<String> formatSet = new HashSet<>();
        String info;
        final List<Connection> connections = new ArrayList<>();
        final List<Bandwidth> bandwidths = new ArrayList<>();
        String key;

        Level(int line, String text) {
            this.line = line;
            this.text = text;
        }
    }
}
