package dev.passerelle.gateway.sip.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * RFC 3263 §4: the ordered list of addresses a request to a SIP URI (here: the outbound proxy)
 * may be sent to, the first one first and the others for failover (§4.3).
 */
public final class NextHops {

    /** An SRV record (RFC 2782). */
    record Srv(int priority, int weight, int port, String target) {}

    /** A NAPTR record (RFC 3403 §4.1). */
    record Naptr(int order, int preference, String flags, String service, String replacement) {}

    private final Dns dns;
    private final boolean systemAddresses;
    private final RandomGenerator random;
    private final Set<String> transports;

    /**
     * @param servers DNS servers as {@code host:port}; empty: the system's, and A/AAAA through the
     *     system resolver (so that the hosts file counts)
     * @param transports the transports the gateway can send over ({@code udp}, {@code tcp}, {@code tls})
     */
    public NextHops(List<String> servers, Set<String> transports) {
        this(new JndiDns(servers), servers.isEmpty(), new Random(), transports);
    }

    NextHops(Dns dns, boolean systemAddresses, RandomGenerator random, Set<String> transports) {
        this.dns = dns;
        this.systemAddresses = systemAddresses;
        this.random = random;
        this.transports = Set.copyOf(transports);
    }

    /**
     * The addresses for a SIP URI's host part, in the order to try them; empty when DNS knows
     * none.
     *
     * @param host a host name or IP literal (IPv6 with or without brackets)
     * @param port the URI's port, or -1
     * @param secure a {@code sips:} URI
     * @param transportParam the URI's {@code transport} parameter, or null
     * @throws Dns.DnsException when the DNS servers do not answer
     */
    public List<Target> resolve(String host, int port, boolean secure, String transportParam) {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String param = transportParam == null ? null : transportParam.toLowerCase(Locale.ROOT);
        // RFC 3263 §4.1: a sips: URI means TLS; an explicit transport parameter is used as given.
        String explicit = secure ? "tls" : param;
        if (isIpLiteral(bare) || port > 0) {
            // §4.1: a numeric IP or an explicit port: the transport parameter, else UDP (TLS for
            // sips:); §4.2: the port given, else the transport's default.
            String transport = explicit != null ? explicit : "udp";
            int p = port > 0 ? port : defaultPort(transport);
            List<Target> out = new ArrayList<>();
            for (String address : isIpLiteral(bare) ? List.of(bare) : addresses(bare)) {
                out.add(new Target(address, p, transport));
            }
            return out;
        }
        List<Target> out = new ArrayList<>();
        if (explicit != null) {
            // §4.2: a transport known but no port: the SRV records of that transport.
            out.addAll(srvTargets(srvName(explicit, bare), explicit));
        } else {
            List<Naptr> naptrs = usable(parseNaptrs(dns.records(bare, "NAPTR")), secure);
            if (!naptrs.isEmpty()) {
                for (Naptr naptr : naptrs) {
                    out.addAll(srvTargets(naptr.replacement(), transportOf(naptr.service())));
                }
            } else {
                // §4.1: no NAPTR: SRV queries for the transports the client supports.
                for (String transport : List.of("udp", "tcp", "tls")) {
                    if (transports.contains(transport) && (!secure || transport.equals("tls"))) {
                        out.addAll(srvTargets(srvName(transport, bare), transport));
                    }
                }
            }
        }
        if (out.isEmpty()) {
            // §4.2: no SRV records: the A/AAAA records of the name on the transport's default port.
            String transport = explicit != null ? explicit : "udp";
            for (String address : addresses(bare)) {
                out.add(new Target(address, defaultPort(transport), transport));
            }
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    /**
     * §4.1: the NAPTR records naming a SIP service over a transport we support (only SIPS ones
     * for a {@code sips:} URI), with the "s" flag (RFC 3403: the replacement is an SRV name), by
     * order then preference.
     */
    List<Naptr> usable(List<Naptr> naptrs, boolean secure) {
        return naptrs.stream()
                .filter(n -> n.flags().equalsIgnoreCase("s"))
                .filter(n -> transportOf(n.service()) != null && transports.contains(transportOf(n.service())))
                .filter(n -> !secure || n.service().toUpperCase(Locale.ROOT).startsWith("SIPS+"))
                .sorted(Comparator.comparingInt(Naptr::order).thenComparingInt(Naptr::preference))
                .toList();
    }

    /** RFC 3263 §4.1 Table 2: the transport of a NAPTR service, or null for one we do not know. */
    static String transportOf(String service) {
        return switch (service.toUpperCase(Locale.ROOT)) {
            case "SIP+D2U" -> "udp";
            case "SIP+D2T" -> "tcp";
            case "SIPS+D2T" -> "tls";
            default -> null;
        };
    }

    /**
     * RFC 2782 "Usage rules": by priority, lowest first; within one priority a weighted random
     * order, where each next record is drawn with a chance proportional to its weight and the
     * records of weight 0 come first in the list drawn from (so they are rarely picked first).
     */
    List<Srv> order(List<Srv> records) {
        List<Srv> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(Srv::priority));
        List<Srv> out = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int priority = sorted.get(i).priority();
            List<Srv> group = new ArrayList<>();
            while (i < sorted.size() && sorted.get(i).priority() == priority) {
                group.add(sorted.get(i++));
            }
            group.sort(Comparator.comparingInt(s -> s.weight() == 0 ? 0 : 1));
            while (!group.isEmpty()) {
                int total = group.stream().mapToInt(Srv::weight).sum();
                int pick = random.nextInt(total + 1);
                int running = 0;
                for (int k = 0; k < group.size(); k++) {
                    running += group.get(k).weight();
                    if (running >= pick) {
                        out.add(group.remove(k));
                        break;
                    }
                }
            }
        }
        return out;
    }

    private List<Target> srvTargets(String name, String transport) {
        List<Target> out = new ArrayList<>();
        List<Srv> records = parseSrvs(dns.records(name, "SRV"));
        // RFC 2782: a single record with target "." means the service is decidedly not available.
        if (records.size() == 1 && records.get(0).target().isEmpty()) {
            return out;
        }
        for (Srv srv : order(records)) {
            for (String address : addresses(srv.target())) {
                out.add(new Target(address, srv.port(), transport));
            }
        }
        return out;
    }

    /** A then AAAA records; an unknown name has none. */
    private List<String> addresses(String name) {
        if (systemAddresses) {
            try {
                List<String> out = new ArrayList<>();
                for (InetAddress a : InetAddress.getAllByName(name)) {
                    out.add(a.getHostAddress());
                }
                return out;
            } catch (UnknownHostException e) {
                return List.of();
            }
        }
        List<String> out = new ArrayList<>(dns.records(name, "A"));
        out.addAll(dns.records(name, "AAAA"));
        return out;
    }

    private static String srvName(String transport, String host) {
        // RFC 3263 §4.2: TLS is _sips._tcp.
        return switch (transport) {
            case "tls" -> "_sips._tcp." + host;
            case "tcp" -> "_sip._tcp." + host;
            default -> "_sip._udp." + host;
        };
    }

    private static int defaultPort(String transport) {
        return transport.equals("tls") ? 5061 : 5060;
    }

    static boolean isIpLiteral(String host) {
        return host.contains(":") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    /** SRV records in presentation form: {@code priority weight port target}. */
    static List<Srv> parseSrvs(List<String> texts) {
        List<Srv> out = new ArrayList<>();
        for (String text : texts) {
            List<String> f = fields(text);
            if (f.size() == 4) {
                out.add(new Srv(Integer.parseInt(f.get(0)), Integer.parseInt(f.get(1)),
                        Integer.parseInt(f.get(2)), name(f.get(3))));
            }
        }
        return out;
    }

    /** NAPTR records in presentation form: {@code order preference "flags" "service" "regexp" replacement}. */
    static List<Naptr> parseNaptrs(List<String> texts) {
        List<Naptr> out = new ArrayList<>();
        for (String text : texts) {
            List<String> f = fields(text);
            if (f.size() == 6) {
                out.add(new Naptr(Integer.parseInt(f.get(0)), Integer.parseInt(f.get(1)), f.get(2), f.get(3),
                        name(f.get(5))));
            }
        }
        return out;
    }

    /** A domain name without its final dot; the root (".") becomes empty. */
    private static String name(String text) {
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    /** Space-separated fields; a double-quoted field may be empty or hold spaces. */
    private static List<String> fields(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == ' ') {
                i++;
            } else if (c == '"') {
                int end = text.indexOf('"', i + 1);
                end = end < 0 ? text.length() : end;
                out.add(text.substring(i + 1, end));
                i = end + 1;
            } else {
                int end = text.indexOf(' ', i);
                end = end < 0 ? text.length() : end;
                out.add(text.substring(i, end));
                i = end;
            }
        }
        return out;
    }
}
