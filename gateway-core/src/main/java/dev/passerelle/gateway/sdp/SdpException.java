package dev.passerelle.gateway.sdp;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;

/**
 * A session description the gateway refuses: malformed (with the 1-based line number and the
 * offending line, truncated and escaped), or well formed but unacceptable (policy, offer/answer).
 * Always {@link ErrorCode#NOT_ACCEPTABLE_HERE}: SIP 488 towards a phone; the WebSocket side maps
 * it to -32602. The message never carries raw control bytes.
 */
public final class SdpException extends GatewayException {
    private static final long serialVersionUID = 1L;

    /** Longest excerpt of the offending line quoted in a message. */
    static final int EXCERPT_CHARS = 60;

    private final int line;
    private final String reason;

    /** An error not tied to one line (size, offer/answer, policy); {@link #line()} is 0. */
    public SdpException(String reason) {
        super(ErrorCode.NOT_ACCEPTABLE_HERE, "sdp: " + reason);
        this.line = 0;
        this.reason = reason;
    }

    /**
     * An error on line {@code line} (1-based) whose text is {@code lineText}, or null when the
     * description ended where a line was expected.
     */
    public SdpException(int line, String lineText, String reason) {
        super(ErrorCode.NOT_ACCEPTABLE_HERE, "sdp line " + line
                + (lineText == null ? "" : " (" + excerpt(lineText) + ")") + ": " + reason);
        this.line = line;
        this.reason = reason;
    }

    /** 1-based line number of the error, 0 when it concerns the description as a whole. */
    public int line() {
        return line;
    }

    /** What is wrong, without the line prefix. */
    public String reason() {
        return reason;
    }

    /** The line truncated to {@link #EXCERPT_CHARS} characters, control characters escaped. */
    static String excerpt(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), EXCERPT_CHARS) + 8);
        int n = Math.min(text.length(), EXCERPT_CHARS);
        for (int i = 0; i < n; i++) {
            b.append(escape(text.charAt(i)));
        }
        if (text.length() > EXCERPT_CHARS) {
            b.append("...");
        }
        return b.toString();
    }

    /** A character as it may appear in a message: printable as is, anything else as \xNN/\\uNNNN. */
    static String escape(char c) {
        if (c < 0x20 || c == 0x7f) {
            return String.format("\\x%02X", (int) c);
        }
        if ((c >= 0x80 && c <= 0x9f) || Character.isSurrogate(c) || c == '\uFFFD'
                || Character.getType(c) == Character.FORMAT) {
            return String.format("\\u%04X", (int) c);
        }
        return String.valueOf(c);
    }
}
