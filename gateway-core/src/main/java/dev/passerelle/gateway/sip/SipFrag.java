package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.parser.StatusLineParser;
import java.text.ParseException;

/**
 * The status a {@code message/sipfrag} body (RFC 3420) reports in the NOTIFYs of a REFER
 * (RFC 3515 §2.4.5): its start line, which must be a Status-Line (RFC 3261 §7.2), parsed by the
 * JAIN-SIP RI's own Status-Line parser. The headers after it are not needed and not read.
 */
final class SipFrag {

    private SipFrag() {
    }

    /**
     * The status code of the fragment's Status-Line.
     *
     * @throws GatewayException with {@link ErrorCode#BAD_REQUEST} when the body does not start
     *     with one
     */
    static int status(String body) {
        if (body == null || body.isBlank()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "empty sipfrag");
        }
        String text = body.stripLeading();
        int eol = text.indexOf('\n');
        String firstLine = (eol < 0 ? text : text.substring(0, eol)).stripTrailing();
        try {
            StatusLine line = new StatusLineParser(firstLine + "\n").parse();
            int status = line.getStatusCode();
            if (status < 100 || status > 699) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "sipfrag status out of range: " + status);
            }
            return status;
        } catch (ParseException | RuntimeException e) {
            if (e instanceof GatewayException g) {
                throw g;
            }
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "sipfrag does not start with a Status-Line: " + SipContext.printable(firstLine, 60));
        }
    }

    /** A fragment holding only the Status-Line of {@code status} (RFC 3515 §2.4.5 minimum). */
    static String of(int status, String reason) {
        return "SIP/2.0 " + status + " " + reason + "\r\n";
    }
}
