package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The routes tell web users from SIP destinations through this parse, never by splitting text. */
class SipUriParsingTest {

    private final JainSipService sip = new JainSipService(SipTestSupport.config(Optional.empty()));

    @Test
    void sipAndSipsUrisGiveUserAndHost() {
        assertEquals(new SipUri("sip", "alice", "example.com"), sip.parseUri("sip:alice@example.com:5070;transport=tcp"));
        assertEquals(new SipUri("sips", "bob", "example.org"), sip.parseUri(" SIPS:bob@example.org "));
        assertEquals(new SipUri("sip", null, "10.0.0.5"), sip.parseUri("sip:10.0.0.5"));
    }

    @Test
    void telUrlsGiveTheNumber() {
        assertEquals(new SipUri("tel", "+33123456789", null), sip.parseUri("tel:+33123456789"));
    }

    @Test
    void anythingElseIsInvalidParams() {
        for (String bad : new String[] {"mailto:alice@example.com", "sip:alice@", "sip:al ice@example.com", "sip:alice@exa mple.com"}) {
            GatewayException e = assertThrows(GatewayException.class, () -> sip.parseUri(bad), bad);
            assertEquals(ErrorCode.INVALID_PARAMS, e.code(), bad);
        }
    }
}
