package dev.passerelle.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gov.nist.javax.sip.SipStackImpl;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Properties;
import javax.sip.ListeningPoint;
import javax.sip.SipProvider;
import org.junit.jupiter.api.Test;

class SipStackPropertiesTest {

    @Test
    void propertiesCarryTheSettings() {
        SipStackSettings s = SipStackSettings.builder(SipStackSettings.Profile.TCP)
                .stackName("gw-1")
                .ipAddress("127.0.0.1")
                .threadPoolSize(8)
                .maxMessageSize(32_768)
                .reliableConnectionKeepAliveTimeout(Duration.ofSeconds(30))
                .earlyDialogTimeout(Duration.ofSeconds(90))
                .logLevel(SipStackSettings.LogLevel.DEBUG)
                .build();
        Properties p = SipStackProperties.toProperties(s);
        assertEquals("gw-1", p.getProperty("javax.sip.STACK_NAME"));
        assertEquals("127.0.0.1", p.getProperty("javax.sip.IP_ADDRESS"));
        assertEquals("off", p.getProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT"));
        assertEquals("on", p.getProperty("javax.sip.RETRANSMISSION_FILTER"));
        assertEquals("8", p.getProperty("gov.nist.javax.sip.THREAD_POOL_SIZE"));
        assertEquals("32768", p.getProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE"));
        assertEquals("true", p.getProperty("gov.nist.javax.sip.REENTRANT_LISTENER"));
        assertEquals("true", p.getProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS"));
        assertEquals("30000", p.getProperty("gov.nist.javax.sip.RELIABLE_CONNECTION_KEEP_ALIVE_TIMEOUT"));
        assertEquals("90", p.getProperty("gov.nist.javax.sip.EARLY_DIALOG_TIMEOUT_SECONDS"));
        assertEquals("64", p.getProperty("gov.nist.javax.sip.DIALOG_TIMEOUT_FACTOR"));
        assertEquals("true", p.getProperty("gov.nist.javax.sip.DELIVER_UNSOLICITED_NOTIFY"));
        assertEquals("false", p.getProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT"));
        assertEquals("32", p.getProperty("gov.nist.javax.sip.TRACE_LEVEL"));
        assertEquals(Slf4jStackLogger.class.getName(), p.getProperty("gov.nist.javax.sip.STACK_LOGGER"));
        assertEquals(Slf4jServerLogger.class.getName(), p.getProperty("gov.nist.javax.sip.SERVER_LOGGER"));
        assertEquals("gov.nist.javax.sip.stack.NioMessageProcessorFactory",
                p.getProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY"));
        assertEquals(StrictMessageParserFactory.class.getName(),
                p.getProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY"));
    }

    @Test
    void noIpAddressWhenUnsetAndNoNioWhenOff() {
        Properties p = SipStackProperties.toProperties(
                SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).nioTransport(false).build());
        assertNull(p.getProperty("javax.sip.IP_ADDRESS"));
        assertNull(p.getProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY"));
    }

    @Test
    void aRouterClassIsTheStacksRouterForEveryRequest() {
        Properties p = SipStackProperties.toProperties(
                SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).build(), "com.example.Router");
        assertEquals("com.example.Router", p.getProperty("javax.sip.ROUTER_PATH"));
        assertEquals("true", p.getProperty("javax.sip.USE_ROUTER_FOR_ALL_URIS"));
        assertNull(SipStackProperties.toProperties(SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).build())
                .getProperty("javax.sip.ROUTER_PATH"));
    }

    @Test
    void realStackStartsWithoutLog4j() throws Exception {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.log4j.Logger"));
        SipStackImpl stack = new SipStackImpl(SipStackProperties.toProperties(
                SipStackSettings.builder(SipStackSettings.Profile.DEFAULT).stackName("config-test").build()));
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
        SipProvider provider = stack.createSipProvider(udp);
        assertNotNull(provider);
        stack.start();
        assertEquals(port, udp.getPort());
        assertFalse(provider.getNewCallId().getCallId().isBlank());
        SipStacks.stop(stack);
    }
}
