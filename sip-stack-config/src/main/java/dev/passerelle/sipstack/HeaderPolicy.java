package dev.passerelle.sipstack;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which custom headers cross the gateway: those a browser may add to its INVITE ({@code out}) and
 * those of an incoming INVITE shown to the browser ({@code in}). Each list holds header names,
 * matched case-insensitively (RFC 3261 §7.3.1), or prefixes written {@code Name-*}.
 *
 * <p>The headers that carry identity, charging or routing are never allowed out, whatever the
 * configuration says: a browser that could set them could call as someone else or be billed to
 * someone else (RFC 3325 §5, RFC 7315 §4). {@link #of} refuses such an entry rather than ignore it.
 */
public final class HeaderPolicy {

    /** Headers a browser can never add: identity, charging, routing, and those the stack owns. */
    static final Set<String> NEVER_OUT = Set.of(
            "p-asserted-identity", "p-preferred-identity", "p-charging-vector", "p-charging-function-addresses",
            "p-access-network-info", "p-visited-network-id", "p-called-party-id", "p-served-user",
            "identity", "identity-info", "privacy", "referred-by", "remote-party-id",
            "from", "to", "call-id", "cseq", "via", "contact", "route", "record-route", "max-forwards",
            "content-type", "content-length", "content-encoding", "authorization", "proxy-authorization",
            "supported", "require", "proxy-require", "allow", "session-expires", "min-se", "rack", "rseq",
            "path", "service-route", "event", "refer-to", "replaces", "expires");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.!%*_+`'~-]*");

    /** {@code X-*} both ways: what the gateway did before the policy was configurable. */
    public static final HeaderPolicy DEFAULT = of(List.of("X-*"), List.of("X-*"));

    private final List<String> out;
    private final List<String> in;

    private HeaderPolicy(List<String> out, List<String> in) {
        this.out = out;
        this.in = in;
    }

    /**
     * @param out names or {@code Prefix-*} patterns a browser may add to an INVITE
     * @param in names or patterns of incoming INVITE headers passed to the browser
     * @throws IllegalArgumentException naming the list ({@code allow} or {@code pass}) and the entry
     */
    public static HeaderPolicy of(List<String> out, List<String> in) {
        List<String> o = normalise("allow", out);
        for (String entry : o) {
            if (NEVER_OUT.contains(entry) || entry.endsWith("-*") && NEVER_OUT.stream().anyMatch(n -> matches(entry, n))) {
                throw new IllegalArgumentException("allow: '" + entry + "' would let a browser set a header the "
                        + "gateway alone sets (identity, charging or routing)");
            }
        }
        return new HeaderPolicy(o, normalise("pass", in));
    }

    private static List<String> normalise(String list, List<String> entries) {
        return entries.stream().map(e -> {
            String name = e.trim();
            String bare = name.endsWith("-*") ? name.substring(0, name.length() - 2) : name;
            if (!NAME.matcher(bare).matches()) {
                throw new IllegalArgumentException(list + ": '" + e + "' is not a header name or a 'Prefix-*' pattern");
            }
            return name.toLowerCase(Locale.ROOT);
        }).toList();
    }

    /** Whether a browser may add header {@code name} to its INVITE. */
    public boolean allowsOut(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return !NEVER_OUT.contains(n) && out.stream().anyMatch(e -> matches(e, n));
    }

    /** Whether header {@code name} of an incoming INVITE is shown to the browser. */
    public boolean passesIn(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return in.stream().anyMatch(e -> matches(e, n));
    }

    /** The configured entries, lower case: what a browser may add. */
    public List<String> out() {
        return out;
    }

    /** The configured entries, lower case: what a browser is shown. */
    public List<String> in() {
        return in;
    }

    private static boolean matches(String entry, String name) {
        return entry.endsWith("-*") ? name.startsWith(entry.substring(0, entry.length() - 1))
                && name.length() > entry.length() - 1 : entry.equals(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeaderPolicy p && p.out.equals(out) && p.in.equals(in);
    }

    @Override
    public int hashCode() {
        return out.hashCode() * 31 + in.hashCode();
    }

    @Override
    public String toString() {
        return "HeaderPolicy[out=" + out + " in=" + in + "]";
    }
}
