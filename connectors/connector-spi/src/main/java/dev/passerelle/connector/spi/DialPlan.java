package dev.passerelle.connector.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which destinations a web user may call: the gateway checks every {@code call.invite} against it
 * before anything is sent, so that a stolen login token cannot call what its user may not
 * (premium numbers, international routes).
 *
 * <p>A destination is what the client's {@code to} resolved to: a SIP or tel URI as written
 * ({@code sip:bob@example.com}, {@code tel:+33123456789}; an E.164 number becomes {@code tel:+…}),
 * or a web user's name. A pattern matches a destination as a whole, case-insensitively, with
 * {@code *} standing for any run of characters (possibly empty). A destination is permitted when
 * it matches an {@code allow} pattern and no {@code deny} pattern: deny wins.
 *
 * @param allow patterns of permitted destinations; {@code ["*"]} permits everything not denied
 * @param deny patterns of refused destinations
 */
public record DialPlan(List<String> allow, List<String> deny) {

    /** Everything, as before dial plans existed. */
    public static final DialPlan ANY = new DialPlan(List.of("*"), List.of());

    public DialPlan {
        allow = List.copyOf(Objects.requireNonNull(allow, "allow"));
        deny = List.copyOf(Objects.requireNonNull(deny, "deny"));
    }

    /**
     * This plan (the operator's) as a login token may narrow it: the token's {@code allow} list,
     * when it has one, replaces this plan's; its {@code deny} list, when it has one, adds to this
     * plan's. An operator's deny can therefore never be lifted by a token.
     *
     * @param allow the token's allow patterns, or null
     * @param deny the token's deny patterns, or null
     */
    public DialPlan narrowedBy(List<String> allow, List<String> deny) {
        List<String> denied = new ArrayList<>(this.deny);
        if (deny != null) {
            denied.addAll(deny);
        }
        return new DialPlan(allow != null ? allow : this.allow, denied);
    }

    public boolean permits(String destination) {
        return matchesAny(deny, destination) ? false : matchesAny(allow, destination);
    }

    private static boolean matchesAny(List<String> patterns, String destination) {
        for (String pattern : patterns) {
            if (matches(pattern.toLowerCase(Locale.ROOT), destination.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** Glob with {@code *} only, matched greedily with backtracking to the last star. */
    private static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
