package dev.passerelle.gateway.media.rtpengine;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.ConnectorSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link RtpengineAnchor} needs: the ng control addresses of one or more rtpengine daemons,
 * how long to wait for one reply, how many times to send a request before giving up on an
 * address, and how long an address that gave no reply is passed over for new calls.
 *
 * <p>A request to one address takes at most {@code tryTimeout × tries}; placing a new call tries
 * every address once, so it fails with 503 after at most {@code tryTimeout × tries × ng.size()}.
 *
 * @param ng the ng addresses, in round-robin order; at least one
 * @param tryTimeout how long one try waits for its reply
 * @param tries how many times a request is sent (the same cookie each time)
 * @param downFor how long an address that did not answer is tried only after the others
 * @param injectDtmf whether calls are set up so that rtpengine can play DTMF into them as RFC
 *     4733 events ({@code inject DTMF} in every offer and answer, which routes all audio of the
 *     call through rtpengine's transcoding engine)
 * @param dtmfEvents where the gateway receives the DTMF events rtpengine detects, the address
 *     rtpengine's {@code --dtmf-log-dest} names; empty: DTMF in the media is not reported
 */
public record RtpengineSettings(List<InetSocketAddress> ng, Duration tryTimeout, int tries, Duration downFor,
        boolean injectDtmf, Optional<InetSocketAddress> dtmfEvents) {

    public static final Duration DEFAULT_DOWN_FOR = Duration.ofSeconds(10);

    /**
     * The settings {@code media.rtpengine.*} as the configuration gives them: {@code ng} (required;
     * a list, or one text of comma-separated addresses as an environment variable gives it),
     * {@code timeout} (ms, 50-30000, default 500: rtpengine answers a loopback or LAN request in
     * well under a millisecond, so 500 ms without a reply is a lost datagram worth sending again),
     * {@code tries} (1-10, default 3), {@code injectDtmf} ({@code true} or {@code false}, default
     * {@code true}), {@code dtmfEvents} (one {@code udp:host:port}, default none). The hosts are
     * resolved here.
     *
     * @throws ConnectorException naming the key at fault, e.g. {@code media.rtpengine.ng: unknown host x}
     */
    public static RtpengineSettings from(ConnectorContext context) {
        String at = context.settingsKey();
        Map<String, Object> s = context.settings();
        for (String key : s.keySet()) {
            if (!List.of("ng", "timeout", "tries", "injectDtmf", "dtmfEvents").contains(key)) {
                throw new ConnectorException(at + "." + key + ": unknown key (docs/configuration.md lists every key)");
            }
        }
        List<InetSocketAddress> ng = ngAddresses(s.get("ng"), at + ".ng");
        if (ng.isEmpty()) {
            throw new ConnectorException(at + ".ng: required when media.anchor is rtpengine");
        }
        long timeout = number(ConnectorSettings.scalar(s, "timeout", at), at + ".timeout", 500, 50, 30_000);
        int tries = (int) number(ConnectorSettings.scalar(s, "tries", at), at + ".tries", 3, 1, 10);
        boolean injectDtmf = bool(ConnectorSettings.scalar(s, "injectDtmf", at), at + ".injectDtmf", true);
        Object events = s.get("dtmfEvents");
        if (events instanceof List<?>) {
            throw new ConnectorException(at + ".dtmfEvents: one udp:host:port, not a list");
        }
        List<InetSocketAddress> dtmfEvents = ngAddresses(events, at + ".dtmfEvents");
        if (dtmfEvents.size() > 1) {
            throw new ConnectorException(at + ".dtmfEvents: one udp:host:port, not several");
        }
        return new RtpengineSettings(ng, Duration.ofMillis(timeout), tries, DEFAULT_DOWN_FOR, injectDtmf,
                dtmfEvents.stream().findFirst());
    }

    /** Settings that inject DTMF, the default, and receive no DTMF events. */
    public RtpengineSettings(List<InetSocketAddress> ng, Duration tryTimeout, int tries, Duration downFor) {
        this(ng, tryTimeout, tries, downFor, true, Optional.empty());
    }

    /**
     * ng addresses, {@code udp:host:port} or {@code udp:[v6]:port}, resolved. Only UDP: that is
     * the transport rtpengine's ng listener speaks.
     */
    private static List<InetSocketAddress> ngAddresses(Object raw, String key) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        List<?> items = raw instanceof List<?> list ? list : List.of(String.valueOf(raw).split(","));
        for (Object item : items) {
            if (!(item instanceof String text)) {
                throw new ConnectorException(key + ": every entry must be a non-empty string");
            }
            String a = text.trim();
            if (a.isEmpty() && !(raw instanceof List<?>)) {
                continue;
            }
            if (!a.startsWith("udp:")) {
                throw new ConnectorException(key + ": '" + a + "' must look like udp:host:port");
            }
            String hostPort = a.substring(4);
            int colon = hostPort.lastIndexOf(':');
            String host = colon > 0 ? hostPort.substring(0, colon) : "";
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.indexOf(':') >= 0) {
                throw new ConnectorException(key + ": '" + a + "': write an IPv6 host in brackets, udp:[::1]:2223");
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (host.isEmpty() || host.contains(" ") || host.contains("/") || port < 1 || port > 65535) {
                throw new ConnectorException(key + ": '" + a + "' must look like udp:host:port with a port 1-65535");
            }
            InetSocketAddress resolved = new InetSocketAddress(host, port);
            if (resolved.isUnresolved()) {
                throw new ConnectorException(key + ": unknown host " + host);
            }
            out.add(resolved);
        }
        return out;
    }

    private static boolean bool(String text, String key, boolean dflt) {
        if (text == null) {
            return dflt;
        }
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConnectorException(key + ": '" + text + "' is not true or false");
        };
    }

    private static long number(String text, String key, long dflt, long min, long max) {
        if (text == null) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ConnectorException(key + ": '" + text + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new ConnectorException(key + ": must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }

    public RtpengineSettings {
        if (ng == null || ng.isEmpty()) {
            throw new IllegalArgumentException("at least one rtpengine ng address is needed");
        }
        ng = List.copyOf(ng);
        for (InetSocketAddress a : ng) {
            if (a.isUnresolved()) {
                throw new IllegalArgumentException("ng address " + a.getHostString() + " is not resolved");
            }
        }
        if (tryTimeout == null || tryTimeout.isNegative() || tryTimeout.isZero()) {
            throw new IllegalArgumentException("tryTimeout must be positive: " + tryTimeout);
        }
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be at least 1: " + tries);
        }
        if (downFor == null || downFor.isNegative()) {
            throw new IllegalArgumentException("downFor must not be negative: " + downFor);
        }
        if (dtmfEvents == null || dtmfEvents.filter(InetSocketAddress::isUnresolved).isPresent()) {
            throw new IllegalArgumentException("dtmfEvents must be empty or a resolved address: " + dtmfEvents);
        }
    }
}
