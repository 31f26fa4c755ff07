package dev.passerelle.gateway.config;

import dev.passerelle.sipstack.HeaderPolicy;
import dev.passerelle.sipstack.ImsProfile;
import dev.passerelle.sipstack.NumberPlan;
import dev.passerelle.sipstack.TlsSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration of one node: immutable, and valid by construction, because only
 * {@link ConfigLoader} builds it and it checks every key. docs/configuration.md lists every key.
 */
public record GatewayConfig(
        NodeConfig node,
        WebSocketConfig websocket,
        SipConfig sip,
        StoreConfig store,
        MediaConfig media,
        IdentityConfig identity,
        QosConfig qos,
        SessionConfig session,
        ConnectorsConfig connectors,
        Map<String, Map<String, Object>> providers) {

    /**
     * @param providers the subtree {@code providers.<name>} of every provider (connector or route
     *     file, which reads it as property placeholders {@code {{providers.<name>.<key>}}}) named in
     *     the configuration, by name, as read from YAML; a provider installed without settings
     *     gets an empty map
     */
    public GatewayConfig {
        providers = Map.copyOf(providers);
    }

    /**
     * {@code node.*}: this node's name, and how it beats for the others.
     *
     * @param heartbeat how often this node writes its heartbeat and reads the others'
     * @param timeout a node whose last heartbeat is older is dead: its calls are taken over
     */
    public record NodeConfig(String id, Duration heartbeat, Duration timeout) {}

    /**
     * {@code websocket.*}: the HTTP/WebSocket listener and the limits each connection lives with.
     *
     * @param maxMessageBytes a bigger frame closes the connection with 1009
     * @param maxNestingDepth a deeper JSON message is refused with -32600 and the connection lives on
     * @param outboundQueueLimit frames waiting to be written to one slow client before it is closed
     *     with 1008 (its events stay in the session's event log)
     * @param idleTimeout a connection silent this long is closed
     * @param pingInterval how often the gateway pings an open connection
     */
    public record WebSocketConfig(
            String host,
            int port,
            String path,
            int maxMessageBytes,
            int maxNestingDepth,
            int outboundQueueLimit,
            Duration idleTimeout,
            Duration pingInterval) {}

    /**
     * {@code sip.*}.
     *
     * @param outboundProxy next hop for every request to a SIP destination, as a SIP URI
     * @param registrar where web users are registered on their behalf (IMS mode); empty: the
     *     gateway is the registrar of its own domain
     * @param userAgent the User-Agent and Server header value
     * @param registrationExpires the Expires the gateway asks for when it registers a web user
     *     (RFC 3261 §10.2.1.1)
     * @param registrationRetryBase the base time of the back-off after a failed registration
     *     (RFC 5626 §4.5 base-time)
     * @param numbers how dialled numbers become Request-URIs ({@code sip.numbers.*})
     * @param headers which custom headers cross the gateway ({@code sip.headers.*})
     * @param ims the IMS private headers of outbound INVITEs and who may assert an identity
     *     ({@code sip.ims.*})
     * @param tls SIP over TLS ({@code sip.tls.*}), or empty for UDP and TCP only
     * @param sessionTimer session timers ({@code sip.sessionTimer.*})
     * @param outboundProxyKeepalive interval of the OPTIONS keepalive to the outbound proxy;
     *     zero: no keepalive
     * @param dnsServers the DNS servers ({@code host:port}) that resolve the outbound proxy per
     *     RFC 3263; empty: the system resolver
     * @param dtmf how {@code call.dtmf} tones reach a SIP peer ({@code sip.dtmf})
     */
    public record SipConfig(
            String host,
            int port,
            String domain,
            Optional<String> outboundProxy,
            Optional<String> registrar,
            String userAgent,
            int threadPoolSize,
            int maxMessageSize,
            Duration ringTimeout,
            Duration registrationExpires,
            Duration registrationRetryBase,
            NumberPlan numbers,
            HeaderPolicy headers,
            ImsProfile ims,
            Optional<TlsSettings> tls,
            SessionTimerConfig sessionTimer,
            Duration outboundProxyKeepalive,
            List<String> dnsServers,
            DtmfMode dtmf) {

        public SipConfig {
            dnsServers = List.copyOf(dnsServers);
        }

        /** The configuration with {@code sip.dtmf} at its default, {@link DtmfMode#AUTO}. */
        public SipConfig(String host, int port, String domain, Optional<String> outboundProxy,
                Optional<String> registrar, String userAgent, int threadPoolSize, int maxMessageSize,
                Duration ringTimeout, Duration registrationExpires, Duration registrationRetryBase,
                NumberPlan numbers, HeaderPolicy headers, ImsProfile ims, Optional<TlsSettings> tls,
                SessionTimerConfig sessionTimer, Duration outboundProxyKeepalive, List<String> dnsServers) {
            this(host, port, domain, outboundProxy, registrar, userAgent, threadPoolSize, maxMessageSize, ringTimeout,
                    registrationExpires, registrationRetryBase, numbers, headers, ims, tls, sessionTimer,
                    outboundProxyKeepalive, dnsServers, DtmfMode.AUTO);
        }

        /** This configuration with other session timers. */
        public SipConfig withSessionTimer(SessionTimerConfig timer) {
            return new SipConfig(host, port, domain, outboundProxy, registrar, userAgent, threadPoolSize,
                    maxMessageSize, ringTimeout, registrationExpires, registrationRetryBase, numbers, headers, ims,
                    tls, timer, outboundProxyKeepalive, dnsServers, dtmf);
        }

        /** This configuration with another outbound proxy keepalive and DNS servers. */
        public SipConfig withDns(Duration keepalive, List<String> servers) {
            return new SipConfig(host, port, domain, outboundProxy, registrar, userAgent, threadPoolSize,
                    maxMessageSize, ringTimeout, registrationExpires, registrationRetryBase, numbers, headers, ims,
                    tls, sessionTimer, keepalive, servers, dtmf);
        }

        /** This configuration with another outbound proxy, registrar and registration timing. */
        public SipConfig withRouting(Optional<String> proxy, Optional<String> registrarUri, Duration expires,
                Duration retryBase) {
            return new SipConfig(host, port, domain, proxy, registrarUri, userAgent, threadPoolSize,
                    maxMessageSize, ringTimeout, expires, retryBase, numbers, headers, ims, tls, sessionTimer,
                    outboundProxyKeepalive, dnsServers, dtmf);
        }
    }

    /**
     * {@code sip.dtmf}: how the tones of {@code call.dtmf} reach a SIP peer.
     */
    public enum DtmfMode {
        /** One SIP INFO per tone, {@code application/dtmf-relay}. */
        INFO,
        /**
         * RFC 4733 telephone-events played into the media by the media anchor; a call whose anchor
         * cannot, or whose SIP leg did not agree on telephone-event, gets 488.
         */
        RFC4733,
        /** RFC 4733 events when the call can carry them, else INFO. */
        AUTO
    }

    /**
     * {@code sip.sessionTimer.*}: session timers of RFC 4028. {@code expires} is the session
     * interval the gateway asks for and accepts at most; {@code minSE} the smallest it accepts
     * (RFC 4028 §4 asks for at least 90 s; lower values are for labs and tests).
     */
    public record SessionTimerConfig(boolean enabled, Duration expires, Duration minSE) {

        public static final SessionTimerConfig DEFAULT =
                new SessionTimerConfig(true, Duration.ofSeconds(1800), Duration.ofSeconds(90));
    }

    /**
     * {@code store.*}. {@code redisUri} is set when {@code type} is {@code redis}; {@code
     * redisTimeout} bounds every Redis command; {@code redisPrefix} starts every key.
     */
    public record StoreConfig(String type, Optional<String> redisUri, Duration redisTimeout, String redisPrefix) {}

    /**
     * {@code media.*}. {@code anchor} names the media connector; {@code settings} holds its subtree
     * {@code media.<anchor>} as read from YAML, handed to the connector untouched. {@code
     * audioCodecs} and {@code videoCodecs} are the codec policy: the allow-list, in order of
     * preference.
     */
    public record MediaConfig(
            String anchor,
            Map<String, Object> settings,
            List<String> audioCodecs,
            List<String> videoCodecs) {

        public MediaConfig {
            audioCodecs = List.copyOf(audioCodecs);
            videoCodecs = List.copyOf(videoCodecs);
        }
    }

    /**
     * {@code identity.*}. {@code settings} holds the subtree {@code identity.<connector>} as read
     * from YAML (maps, lists, strings, numbers, booleans), handed to the connector untouched.
     */
    public record IdentityConfig(String connector, Map<String, Object> settings) {}

    /**
     * {@code qos.*}. {@code settings} holds the subtree {@code qos.<connector>} as read from YAML,
     * handed to the connector untouched.
     */
    public record QosConfig(String connector, Map<String, Object> settings) {}

    /** {@code session.*}. */
    /**
     * @param updateTimeout how long the gateway waits for a client's answer to its {@code call.update}
     *     request (a new offer from the other side of the call)
     */
    public record SessionConfig(Duration resumeWindow, int eventLogLimit, Duration updateTimeout) {}

    /**
     * {@code connectors.*}.
     *
     * @param dir the folder of connector jars and unit folders
     * @param watch whether the folder is watched and reloaded while the gateway runs
     * @param quietPeriod how long the folder must stay unchanged before a change is applied
     */
    public record ConnectorsConfig(String dir, boolean watch, Duration quietPeriod) {}
}
