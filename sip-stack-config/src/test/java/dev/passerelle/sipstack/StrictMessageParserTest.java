package dev.passerelle.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import org.junit.jupiter.api.Test;

class StrictMessageParserTest {

    private static final String VIA = "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK-strict\r\n";
    private static final String TO = "To: <sip:bob@example.com>\r\n";
    private static final String FROM = "From: Alice <sip:alice@example.com>;tag=1\r\n";
    private static final String CALL_ID = "Call-ID: strict-1@example.com\r\n";
    private static final String CSEQ = "CSeq: 1 OPTIONS\r\n";
    private static final String MAX_FORWARDS = "Max-Forwards: 70\r\n";
    private static final String LENGTH = "Content-Length: 0\r\n";

    private static String options(String headers) {
        return "OPTIONS sip:bob@example.com SIP/2.0\r\n" + headers + "\r\n";
    }

    private static String valid() {
        return options(VIA + MAX_FORWARDS + TO + FROM + CALL_ID + CSEQ + LENGTH);
    }

    private static SIPRequest parse(String message) throws ParseException {
        return assertInstanceOf(SIPRequest.class, new StrictMessageParser()
                .parseSIPMessage(message.getBytes(StandardCharsets.ISO_8859_1), true, false, null));
    }

    private static void assertRefused(String message, String expectedPart) {
        ParseException e = assertThrows(ParseException.class, () -> parse(message));
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }

    @Test
    void validRequestPasses() throws ParseException {
        SIPRequest request = parse(valid());
        assertEquals("SIP/2.0", request.getRequestLine().getSipVersion());
        assertEquals("strict-1@example.com", request.getCallId().getCallId());
    }

    @Test
    void compactFormsAndFoldedLinesPass() throws ParseException {
        parse(options("v: SIP/2.0/UDP host.example.com;branch=z9hG4bK-c\r\nMax-Forwards: 70\r\n"
                + "t: <sip:bob@example.com>\r\nf: <sip:alice@example.com>;tag=1\r\ni: c@example.com\r\n"
                + "CSeq: 1\r\n OPTIONS\r\nl: 0\r\n"));
    }

    @Test
    void otherSipVersionIsKeptSoTheChannelAnswers505() throws ParseException {
        SIPRequest request = parse(valid().replace("SIP/2.0\r\n", "SIP/7.0\r\n"));
        assertEquals("SIP/7.0", request.getRequestLine().getSipVersion());
    }

    @Test
    void requestLineWithoutSipVersionIsRefused() {
        assertRefused(valid().replace("SIP/2.0\r\n", "HTTP/1.1\r\n"), "Request-Line");
    }

    @Test
    void repeatedSingleValuedHeaderIsRefused() {
        assertRefused(options(VIA + MAX_FORWARDS + TO + "t: <sip:eve@example.com>\r\n" + FROM + CALL_ID + CSEQ + LENGTH),
                "More than one To header");
        assertRefused(options(VIA + MAX_FORWARDS + TO + FROM + CALL_ID + CSEQ + LENGTH + "l: 5\r\n"),
                "More than one Content-Length header");
    }

    @Test
    void repeatedListHeaderPasses() throws ParseException {
        parse(options(VIA + "Via: SIP/2.0/UDP other.example.com;branch=z9hG4bK-2\r\n" + MAX_FORWARDS + TO + FROM
                + CALL_ID + CSEQ + LENGTH));
    }

    @Test
    void missingRequiredHeadersAreNamed() {
        assertRefused(options(VIA + CSEQ + LENGTH), "Missing required header(s): To, From, Call-ID, Max-Forwards");
    }

    @Test
    void unquotedDisplayNameMustBeTokens() throws ParseException {
        parse(valid().replace("From: Alice <", "From: Alice B. Liddell <"));
        parse(valid().replace("From: Alice <", "From: \"Liddell, Alice\" <"));
        assertRefused(valid().replace("From: Alice <", "From: Liddell, Alice <"), "From: unquoted display name");
    }

    @Test
    void quotedDisplayNameMustBeOneQuotedString() {
        assertRefused(valid().replace("From: Alice <", "From: \"Alice\" B <"), "From: display name is not one quoted-string");
    }

    @Test
    void contactWithHeadersOutsideBracketsIsRefused() throws ParseException {
        parse(valid().replace(LENGTH, "Contact: <sip:a@example.com?Subject=x>, sip:b@example.com;expires=3\r\n" + LENGTH));
        assertRefused(valid().replace(LENGTH, "Contact: sip:a@example.com?Subject=x\r\n" + LENGTH),
                "Contact: URI with '?' must be enclosed in <>");
        assertRefused(valid().replace(LENGTH, "m: <sip:a@example.com>, Alice @ home <sip:b@example.com>\r\n" + LENGTH),
                "Contact: unquoted display name");
    }

    @Test
    void responsesAreLeftToTheStackParser() throws ParseException {
        String response = "SIP/2.0 200 OK\r\n" + VIA + TO + TO + FROM + CALL_ID + CSEQ + LENGTH + "\r\n";
        assertInstanceOf(SIPResponse.class, new StrictMessageParser()
                .parseSIPMessage(response.getBytes(StandardCharsets.ISO_8859_1), true, false, null));
    }
}
