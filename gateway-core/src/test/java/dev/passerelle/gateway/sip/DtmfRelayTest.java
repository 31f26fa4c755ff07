package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DtmfRelayTest {

    @Test
    void bodyIsSignalThenDuration() {
        assertEquals("Signal=5\r\nDuration=160\r\n", DtmfRelay.body('5', 160));
        assertEquals("Signal=#\r\nDuration=40\r\n", DtmfRelay.body('#', 40));
        assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(GatewayException.class, () -> DtmfRelay.body('E', 160)).code());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "dtmf-relay|Signal=5\\r\\nDuration=160\\r\\n|5",
        "dtmf-relay|Signal= *\\nDuration=250|*",
        "DTMF-Relay|'duration=100\\r\\nsignal=#\\r\\n'|'#'",
        "dtmf-relay|Signal=a\\r\\n|A",
        "dtmf-relay|Signal=10\\r\\nDuration=160|*",
        "dtmf-relay|Signal=11|'#'",
        "dtmf-relay|Signal=15|D",
        "dtmf|7|7",
        "dtmf| d\\r\\n|D"})
    void parsesWhatPhonesSend(String subType, String body, char tone) {
        assertEquals(tone, DtmfRelay.parse(subType, body.replace("\\r", "\r").replace("\\n", "\n")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Duration=160", "Signal=", "Signal=E", "Signal=16", "Signal=12 3", "Signal=\u0007"})
    void refusesBodiesWithoutATone(String body) {
        assertEquals(ErrorCode.BAD_REQUEST,
                assertThrows(GatewayException.class, () -> DtmfRelay.parse("dtmf-relay", body)).code());
    }
}
