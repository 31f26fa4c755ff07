package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SipFragTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SIP/2.0 100 Trying\\r\\n|100",
        "SIP/2.0 180 Ringing|180",
        "SIP/2.0 200 OK\\r\\nContact: <sip:carol@10.0.0.9>\\r\\nContent-Length: 0\\r\\n\\r\\n|200",
        "SIP/2.0 486 Busy Here\\n|486",
        "SIP/2.0 603 Declined|603"})
    void statusOfTheStatusLine(String body, int status) {
        assertEquals(status, SipFrag.status(body.replace("\\r", "\r").replace("\\n", "\n")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "INVITE sip:carol@x SIP/2.0", "SIP/2.0 OK", "SIP/2.0 99 Too Low", "hello", "SIP/2.0 abc Nope"})
    void refusesWhatIsNotAStatusLine(String body) {
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(GatewayException.class, () -> SipFrag.status(body)).code());
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 180, 200, 486})
    void builtFragmentsParseBack(int status) {
        assertEquals(status, SipFrag.status(SipFrag.of(status, "Reason")));
    }
}
