package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.sipstack.HeaderPolicy;
import dev.passerelle.sipstack.ImsProfile;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sip.address.Address;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

class ProfileHeadersTest {

    private static final String INVITE = "INVITE sip:alice@gw.test SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK776asdhds\r\n"
            + "Max-Forwards: 70\r\n"
            + "To: <sip:alice@gw.test>\r\n"
            + "From: \"Bob\" <sip:bob@ims.example>;tag=1928301774\r\n"
            + "Call-ID: a84b4c76e66710@pc33.ims.example\r\n"
            + "CSeq: 314159 INVITE\r\n"
            + "Contact: <sip:bob@10.0.0.5>\r\n"
            + "P-Asserted-Identity: \"Bob\" <sip:bob@ims.example>\r\n"
            + "P-Asserted-Identity: <tel:+33123456789>\r\n"
            + "X-Campaign: spring\r\n"
            + "x-campaign-id: 7\r\n"
            + "Subject: hello\r\n"
            + "Content-Length: 0\r\n\r\n";

    private final HeaderFactoryImpl headers = new HeaderFactoryImpl();
    private final MessageFactoryImpl messages = new MessageFactoryImpl();
    private final AddressFactoryImpl addresses = new AddressFactoryImpl();

    private Request parse(String text) throws Exception {
        return messages.createRequest(text);
    }

    private static ProfileHeaders profile(HeaderPolicy policy, ImsProfile ims) {
        return new ProfileHeaders(new HeaderFactoryImpl(), policy, ims, "gw.test");
    }

    @Test
    void assertedIdentityIsShownOnlyFromATrustedAddress() throws Exception {
        ImsProfile ims = new ImsProfile(ImsProfile.Identity.NONE, Optional.empty(), false, Optional.empty(),
                Set.of("10.0.0.5"));
        ProfileHeaders p = profile(HeaderPolicy.of(List.of("X-*"), List.of("X-*", "P-Asserted-Identity")), ims);

        Map<String, String> trusted = p.shown(parse(INVITE), "10.0.0.5");
        // RFC 3261 §7.3.1: both values, in order, as one comma-separated value.
        assertEquals("\"Bob\" <sip:bob@ims.example>, <tel:+33123456789>", trusted.get("P-Asserted-Identity"));

        Map<String, String> untrusted = p.shown(parse(INVITE), "192.0.2.66");
        assertNull(untrusted.get("P-Asserted-Identity"), "RFC 3325 §5: dropped from outside the trust domain");
        assertNull(p.shown(parse(INVITE), null).get("P-Asserted-Identity"));
        assertEquals("spring", untrusted.get("X-Campaign"));
        assertEquals("7", untrusted.get("x-campaign-id"));
        assertFalse(untrusted.containsKey("Subject"), "not in sip.headers.pass");
    }

    @Test
    void theDefaultShowsXHeadersOnly() throws Exception {
        Map<String, String> shown = profile(HeaderPolicy.DEFAULT, ImsProfile.NONE).shown(parse(INVITE), "10.0.0.5");
        assertEquals(Set.of("X-Campaign", "x-campaign-id"), shown.keySet());
    }

    @Test
    void aClientCannotSetAnIdentityHeaderWhateverTheAllowList() {
        HeaderPolicy policy = HeaderPolicy.of(List.of("X-*", "Subject"), List.of());
        ProfileHeaders.checkCustom(policy, Map.of("X-Account", "42", "Subject", "hi"));
        for (String forged : List.of("P-Asserted-Identity", "p-preferred-identity", "From", "Route", "Priority")) {
            GatewayException e = assertThrows(GatewayException.class,
                    () -> ProfileHeaders.checkCustom(policy, Map.of(forged, "<sip:ceo@ims.example>")), forged);
            assertEquals(ErrorCode.INVALID_PARAMS, e.code());
            assertTrue(e.getMessage().startsWith("header " + forged + " may not be set by a client"), e.getMessage());
        }
    }

    @Test
    void anOutboundInviteCarriesTheImsHeadersOfTheProfile() throws Exception {
        ImsProfile ims = new ImsProfile(ImsProfile.Identity.PREFERRED, Optional.of("IEEE-802.11;i-wlan-node-id=ffffffffffff"),
                true, Optional.of("ims.example"), Set.of());
        ProfileHeaders p = profile(HeaderPolicy.DEFAULT, ims);
        Request invite = parse(INVITE.replace("P-Asserted-Identity: \"Bob\" <sip:bob@ims.example>\r\n", "")
                .replace("P-Asserted-Identity: <tel:+33123456789>\r\n", ""));
        Address alice = addresses.createAddress("\"Alice Web\" <sip:alice@ims.example>");

        p.addTo(invite, alice, Map.of("X-Account", "42"));
        Request sent = parse(invite.toString());

        assertEquals("\"Alice Web\" <sip:alice@ims.example>", value(sent, "P-Preferred-Identity"));
        assertNull(sent.getHeader("P-Asserted-Identity"));
        // The RI writes the parameters of RFC 7315 §5.4 after "; ".
        assertEquals("IEEE-802.11; i-wlan-node-id=ffffffffffff", value(sent, "P-Access-Network-Info"));
        String vector = value(sent, "P-Charging-Vector");
        assertTrue(vector.matches("icid-value=[0-9a-f]{32};icid-generated-at=gw.test;orig-ioi=ims.example"), vector);
        assertEquals("42", value(sent, "X-Account"));

        Request second = parse(INVITE);
        p.addTo(second, alice, Map.of());
        assertFalse(value(second, "P-Charging-Vector").equals(vector), "RFC 7315 §5.6: one icid-value per session");
    }

    @Test
    void assertedIdentityWhenTheGatewayIsInTheTrustDomain() throws Exception {
        ProfileHeaders p = profile(HeaderPolicy.DEFAULT,
                new ImsProfile(ImsProfile.Identity.ASSERTED, Optional.empty(), false, Optional.empty(), Set.of()));
        Request invite = parse(INVITE.replace("P-Asserted-Identity: \"Bob\" <sip:bob@ims.example>\r\n", "")
                .replace("P-Asserted-Identity: <tel:+33123456789>\r\n", ""));
        p.addTo(invite, addresses.createAddress("<sip:alice@ims.example>"), Map.of());
        assertEquals("<sip:alice@ims.example>", value(invite, "P-Asserted-Identity"));
        assertNull(invite.getHeader("P-Charging-Vector"));
        assertNull(invite.getHeader("P-Access-Network-Info"));
    }

    private static String value(Request r, String name) {
        return ((gov.nist.javax.sip.header.SIPHeader) r.getHeader(name)).getHeaderValue().trim();
    }
}
