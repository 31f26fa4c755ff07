package dev.passerelle.sipstack;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The RI's {@link StringMsgParser} preceded by the request checks it skips. The RI keeps the last
 * of two To headers, reads {@code Bell, Alexander <sip:...>} as a display name and parses
 * {@code SIP/7.0} as {@code SIP/2.0}; each of those requests would reach the application as if it
 * were valid (RFC 4475 §3.1.2.13, §3.1.2.15, §3.1.2.16, §3.3.8, §3.3.9).
 *
 * <p>The checks are a lexical scan of the header block: header names, the Request-Line's last
 * token, and the shape of name-addr values; the bytes handed to the RI are never changed. A
 * failed check throws {@link ParseException}, which the RI's message channels answer, as for any
 * parse error, with a stateless 400 built from the raw Via, CSeq, Call-ID, From and To (none for
 * an ACK, RFC 3261 §17.1.1.3, and none when one of those is missing).
 * Responses are passed through unchecked: a bad one cannot be answered, and one that matches no
 * transaction is dropped anyway.
 */
public final class StrictMessageParser implements MessageParser {

    static final String SIP_2_0 = "SIP/2.0";

    /** RFC 3261 §25.1: {@code SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT}; literals are case-insensitive. */
    private static final Pattern SIP_VERSION = Pattern.compile("(?i)SIP/[0-9]+\\.[0-9]+");

    /** RFC 3261 §25.1 {@code token}. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9.!%*_+`'~-]+");

    /** RFC 3261 §7.3.3 compact forms of the headers checked here. */
    private static final Map<String, String> COMPACT = Map.of(
            "t", "to", "f", "from", "i", "call-id", "l", "content-length", "c", "content-type", "m", "contact",
            "v", "via");

    /** RFC 3261 §7.3.1: headers that are not comma-separated lists appear at most once. */
    private static final List<String> SINGLE_VALUED = List.of(
            "to", "from", "call-id", "cseq", "content-length", "max-forwards", "content-type");

    /** RFC 3261 §8.1.1: the headers every request carries. */
    private static final List<String> REQUIRED = List.of("to", "from", "cseq", "call-id", "max-forwards", "via");

    /** The canonical spelling of each checked header, for messages. */
    private static final Map<String, String> DISPLAY = Map.of(
            "to", "To", "from", "From", "call-id", "Call-ID", "cseq", "CSeq", "content-length", "Content-Length",
            "max-forwards", "Max-Forwards", "content-type", "Content-Type", "via", "Via", "contact", "Contact");

    private final StringMsgParser lenient = new StringMsgParser();

    @Override
    public SIPMessage parseSIPMessage(byte[] msgBuffer, boolean readBody, boolean strict,
            ParseExceptionListener listener) throws ParseException {
        List<String> lines = headerLines(msgBuffer);
        if (lines.isEmpty() || lines.get(0).startsWith("SIP/")) {
            return lenient.parseSIPMessage(msgBuffer, readBody, strict, listener);
        }
        String version = requestVersion(lines.get(0));
        if (!version.equalsIgnoreCase(SIP_2_0)) {
            // Another SIP version's headers are not judged by 2.0's rules. The RI would rewrite the
            // version to SIP/2.0; put back the one the request carried so that the message channel
            // answers 505 (RFC 3261 §21.5.7, RFC 4475 §3.1.2.16).
            SIPMessage message = lenient.parseSIPMessage(msgBuffer, readBody, strict, listener);
            if (message instanceof SIPRequest request) {
                request.getRequestLine().setSipVersion(version);
            }
            return message;
        }
        List<String> missing = checkHeaders(lines.subList(1, lines.size()));
        if (!missing.isEmpty()) {
            // RFC 3261 §8.1.1; RFC 4475 §3.3.1.
            // Without To, From or Call-ID the RI's channels cannot build their 400 and the request
            // goes unanswered: the parser cannot answer either, since a UDP channel learns the
            // datagram's source port only after the parse (RFC 4475 §3.3.1 only says "ideally").
            throw new ParseException("Missing required header(s): " + String.join(", ", missing), 0);
        }
        return lenient.parseSIPMessage(msgBuffer, readBody, strict, listener);
    }

    /**
     * The start line and the unfolded header lines, up to the empty line that ends them or the end
     * of the buffer (stream transports hand over the header block alone). Leading CRLFs are
     * skipped, as RFC 3261 §7.5 asks of stream transports and the RI does everywhere.
     */
    static List<String> headerLines(byte[] msgBuffer) {
        List<String> lines = new ArrayList<>();
        if (msgBuffer == null) {
            return lines;
        }
        String text = new String(msgBuffer, StandardCharsets.ISO_8859_1);
        int pos = 0;
        while (pos < text.length()) {
            int eol = text.indexOf('\n', pos);
            int end = eol < 0 ? text.length() : eol;
            String line = text.substring(pos, end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end);
            pos = eol < 0 ? text.length() : eol + 1;
            if (line.isEmpty()) {
                if (lines.isEmpty()) {
                    continue;
                }
                break;
            }
            boolean continuation = line.charAt(0) == ' ' || line.charAt(0) == '\t';
            if (continuation && lines.size() > 1) {
                // RFC 3261 §7.3.1: a line starting with whitespace continues the header above.
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + " " + line.trim());
            } else {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The Request-Line's last token (RFC 3261 §7.1); trailing whitespace is left to the RI (RFC 4475 §3.1.2.10). */
    static String requestVersion(String requestLine) throws ParseException {
        String line = requestLine.strip();
        String version = line.substring(line.lastIndexOf(' ') + 1);
        if (!SIP_VERSION.matcher(version).matches()) {
            throw new ParseException("Request-Line: no SIP-Version at its end: " + requestLine, 0);
        }
        return version;
    }

    /**
     * Throws naming the first header that breaks a rule; returns the required headers that are
     * missing, in the order of {@link #REQUIRED}, for the caller to refuse.
     */
    static List<String> checkHeaders(List<String> headerLines) throws ParseException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                // Not a header line: the RI reports it, or ignores it as it does unknown syntax.
                continue;
            }
            String name = canonical(line.substring(0, colon));
            String value = line.substring(colon + 1).trim();
            counts.merge(name, 1, Integer::sum);
            if (SINGLE_VALUED.contains(name) && counts.get(name) > 1) {
                // RFC 3261 §7.3.1; RFC 4475 §3.3.8, and §3.3.9 for Content-Length (message framing).
                throw new ParseException("More than one " + DISPLAY.get(name) + " header: " + line, 0);
            }
            switch (name) {
                case "to", "from" -> checkAddress(DISPLAY.get(name), value);
                case "contact" -> {
                    for (String contact : splitList(value)) {
                        checkAddress("Contact", contact);
                    }
                }
                default -> {
                }
            }
        }
        return REQUIRED.stream().filter(h -> !counts.containsKey(h)).map(DISPLAY::get).toList();
    }

    private static String canonical(String rawName) {
        String name = rawName.trim().toLowerCase(Locale.ROOT);
        return COMPACT.getOrDefault(name, name);
    }

    /**
     * One From, To or Contact value. RFC 3261 §25.1: {@code display-name = *(token LWS) /
     * quoted-string} (RFC 4475 §3.1.2.15); RFC 3261 §20.10: an addr-spec holding a comma, semicolon
     * or question mark must be enclosed in {@code <>} (RFC 4475 §3.1.2.13). Without {@code <>}
     * the first semicolon starts the header's parameters by definition, so only a {@code ?}
     * before it betrays an unenclosed URI.
     */
    static void checkAddress(String header, String value) throws ParseException {
        int open = indexOutsideQuotes(value, '<');
        if (open < 0) {
            if (value.equals("*")) {
                return;
            }
            int semi = value.indexOf(';');
            String addrSpec = semi < 0 ? value : value.substring(0, semi);
            if (addrSpec.indexOf('?') >= 0) {
                throw new ParseException(header + ": URI with '?' must be enclosed in <>: " + value, 0);
            }
            return;
        }
        String display = value.substring(0, open).strip();
        if (display.isEmpty()) {
            return;
        }
        if (display.charAt(0) == '"') {
            int close = closingQuote(display);
            if (close < 0 || !display.substring(close + 1).isBlank()) {
                throw new ParseException(header + ": display name is not one quoted-string: " + value, 0);
            }
            return;
        }
        for (String word : display.split("[ \t]+")) {
            if (!TOKEN.matcher(word).matches()) {
                throw new ParseException(header + ": unquoted display name holds non-token characters: " + value, 0);
            }
        }
    }

    /** The entries of a comma-separated list, splitting neither inside quotes nor inside {@code <>}. */
    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        boolean bracketed = false;
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"' && !bracketed) {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                bracketed = true;
            } else if (!quoted && c == '>') {
                bracketed = false;
            } else if (!quoted && !bracketed && c == ',') {
                out.add(value.substring(start, i).trim());
                start = i + 1;
            }
        }
        out.add(value.substring(start).trim());
        return out;
    }

    private static int indexOutsideQuotes(String value, char wanted) {
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the quote closing the quoted-string that opens {@code s}, or -1 (RFC 3261 §25.1 quoted-pair). */
    private static int closingQuote(String s) {
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }
}
