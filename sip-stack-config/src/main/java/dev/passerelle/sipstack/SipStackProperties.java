package dev.passerelle.sipstack;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Turns {@link SipStackSettings} into the properties JAIN-SIP RI 1.3 reads. The only class that
 * knows the {@code javax.sip.*} and {@code gov.nist.javax.sip.*} property names.
 */
public final class SipStackProperties {

    static final String NIST = "gov.nist.javax.sip.";

    /**
     * TLS 1.3 and ECDHE-GCM suites: the RI's default list fails handshakes on Java 25. Set now so
     * a TLS listening point added later works on 17 and 25 alike.
     */
    static final String CIPHER_SUITES = "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,"
            + "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
            + "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";

    private SipStackProperties() {
    }

    /**
     * The same, with the application's router (RFC 3261 §8.1.2 next hop): the RI instantiates
     * {@code routerClass} through its public {@code (SipStack, String outboundProxy)} constructor
     * and asks it for the next hop of every request.
     */
    public static Properties toProperties(SipStackSettings s, String routerClass) {
        Properties p = toProperties(s);
        p.setProperty("javax.sip.ROUTER_PATH", routerClass);
        p.setProperty("javax.sip.USE_ROUTER_FOR_ALL_URIS", "true");
        return p;
    }

    public static Properties toProperties(SipStackSettings s) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", s.stackName());
        s.ipAddress().ifPresent(ip -> p.setProperty("javax.sip.IP_ADDRESS", ip));
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", s.automaticDialogSupport() ? "on" : "off");
        p.setProperty("javax.sip.RETRANSMISSION_FILTER", s.retransmissionFilter() ? "on" : "off");

        p.setProperty(NIST + "THREAD_POOL_SIZE", Integer.toString(s.threadPoolSize()));
        // Events of different dialogs run in parallel on the pool; the listener is thread-safe.
        p.setProperty(NIST + "REENTRANT_LISTENER", "true");
        p.setProperty(NIST + "MAX_MESSAGE_SIZE", Integer.toString(s.maxMessageSize()));
        p.setProperty(NIST + "CACHE_CLIENT_CONNECTIONS", Boolean.toString(s.cacheClientConnections()));
        p.setProperty(NIST + "CACHE_SERVER_CONNECTIONS", Boolean.toString(s.cacheServerConnections()));
        p.setProperty(NIST + "RELIABLE_CONNECTION_KEEP_ALIVE_TIMEOUT",
                Long.toString(s.reliableConnectionKeepAliveTimeout().toMillis()));
        p.setProperty(NIST + "EARLY_DIALOG_TIMEOUT_SECONDS",
                Long.toString(s.earlyDialogTimeout().toSeconds()));
        p.setProperty(NIST + "DIALOG_TIMEOUT_FACTOR", Integer.toString(s.dialogTimeoutFactor()));
        if (s.nioTransport()) {
            p.setProperty(NIST + "MESSAGE_PROCESSOR_FACTORY", "gov.nist.javax.sip.stack.NioMessageProcessorFactory");
        }

        // Every NOTIFY reaches the listener, which matches it to its subscription itself (the
        // gateway keeps presence subscriptions without JAIN-SIP dialogs, RFC 6665 §4.1.2.4). With
        // "false" the RI locks the SUBSCRIBE's client transaction for each NOTIFY that matches it
        // and never unlocks it when the NOTIFY has no dialog: the SUBSCRIBE's 2xx then hangs.
        p.setProperty(NIST + "DELIVER_UNSOLICITED_NOTIFY", "true");
        // Responses matching no client transaction are dropped by the stack (RFC 3261 §18.1.2):
        // a UA has nothing to forward them to (RFC 4475 §3.3.10 broadcast Via).
        p.setProperty(NIST + "REJECT_STRAY_RESPONSES", "true");
        // Requests the RI's lenient parser would let through malformed are refused with 400, and
        // other SIP versions with 505 (RFC 4475 §3.1.2, §3.3).
        p.setProperty(NIST + "MESSAGE_PARSER_FACTORY", StrictMessageParserFactory.class.getName());

        p.setProperty(NIST + "STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty(NIST + "SERVER_LOGGER", Slf4jServerLogger.class.getName());
        p.setProperty(NIST + "TRACE_LEVEL", traceLevel(s.logLevel()));
        p.setProperty(NIST + "LOG_MESSAGE_CONTENT", "false");
        p.setProperty(NIST + "LOG_STACK_TRACE_ON_MESSAGE_SEND", "false");

        p.setProperty(NIST + "ENABLED_CIPHER_SUITES", CIPHER_SUITES);
        p.setProperty(NIST + "TLS_CLIENT_PROTOCOLS", "TLSv1.3, TLSv1.2");
        s.tls().ifPresent(tls -> tls(p, tls));
        return p;
    }

    /**
     * The RI reads its key and trust stores from these stack properties (its default
     * {@code SecurityManagerProvider}), not from the JVM's system properties, so two stacks in one
     * JVM can hold different certificates. Without a trust store of our own, the JVM's CA file is
     * named explicitly: the RI's blocking TLS layer would otherwise trust the key store.
     */
    private static void tls(Properties p, TlsSettings tls) {
        p.setProperty("javax.net.ssl.keyStore", tls.keyStore().toAbsolutePath().toString());
        p.setProperty("javax.net.ssl.keyStorePassword", tls.keyStorePassword());
        p.setProperty("javax.net.ssl.keyStoreType", tls.keyStoreType());
        p.setProperty("javax.net.ssl.trustStore", tls.trustStore()
                .map(t -> t.toAbsolutePath().toString())
                .orElse(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toString()));
        p.setProperty("javax.net.ssl.trustStorePassword", tls.trustStore().isPresent()
                ? tls.trustStorePassword().orElse("") : "changeit");
        p.setProperty("javax.net.ssl.trustStoreType", tls.keyStoreType());
        p.setProperty(NIST + "TLS_SECURITY_POLICY", ServerIdentityPolicy.class.getName());
        p.setProperty(NIST + "TLS_CLIENT_AUTH_TYPE", switch (tls.clientAuth()) {
            case NONE -> "Disabled";
            case WANT -> "Want";
            case NEED -> "Enabled";
        });
    }

    private static String traceLevel(SipStackSettings.LogLevel level) {
        return switch (level) {
            case OFF -> "0";
            case ERROR -> "4";
            case WARN -> "8";
            case INFO -> "16";
            case DEBUG -> "32";
            case TRACE -> "64";
        };
    }
}
