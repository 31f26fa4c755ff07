package dev.passerelle.sipstack;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How telephone numbers a web user dials become Request-URIs. A number is first made global
 * (E.164 with its leading {@code +}, RFC 3966 §5.1.4), then written in the configured {@link Form}.
 * Immutable; {@link #of} checks every value.
 *
 * <p>What counts as a number: a global number ({@code +} and digits), or, when a country code is
 * configured, a national number starting with the national prefix; both may carry the visual
 * separators of RFC 3966 §5.1.1 ({@code - . ( )} and spaces). Anything else is not a number, so
 * that a web user's name made of digits is never taken for one by accident unless it starts with
 * the national prefix.
 */
public final class NumberPlan {

    /** How a global number is written as a Request-URI. */
    public enum Form {
        /** {@code tel:+33123456789} (RFC 3966), routed by the outbound proxy. */
        TEL,
        /** {@code sip:+33123456789@domain;user=phone} (RFC 3261 §19.1.6), as IMS cores expect. */
        SIP
    }

    /** The longest E.164 number, without its {@code +} (ITU-T E.164 §6). */
    static final int MAX_DIGITS = 15;
    private static final Pattern VISUAL = Pattern.compile("[-.() ]");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern COUNTRY_CODE = Pattern.compile("[1-9][0-9]{0,2}");
    private static final Pattern NATIONAL_PREFIX = Pattern.compile("[0-9]{1,4}");

    /** Global numbers only, written as tel URIs: what the gateway did before number plans existed. */
    public static final NumberPlan DEFAULT = new NumberPlan(Form.TEL, Optional.empty(), Optional.empty());

    private final Form form;
    private final Optional<String> countryCode;
    private final Optional<String> nationalPrefix;

    private NumberPlan(Form form, Optional<String> countryCode, Optional<String> nationalPrefix) {
        this.form = form;
        this.countryCode = countryCode;
        this.nationalPrefix = nationalPrefix;
    }

    /**
     * @param form how global numbers are written
     * @param countryCode the country code national numbers belong to (1 to 3 digits), or empty to
     *     accept global numbers only
     * @param nationalPrefix the trunk prefix a national number starts with (e.g. {@code 0}); needs
     *     {@code countryCode}
     * @throws IllegalArgumentException naming the field that is wrong
     */
    public static NumberPlan of(Form form, Optional<String> countryCode, Optional<String> nationalPrefix) {
        Objects.requireNonNull(form, "form");
        countryCode.ifPresent(cc -> {
            if (!COUNTRY_CODE.matcher(cc).matches()) {
                throw new IllegalArgumentException("countryCode: '" + cc + "' is not 1 to 3 digits without a leading 0");
            }
        });
        nationalPrefix.ifPresent(p -> {
            if (!NATIONAL_PREFIX.matcher(p).matches()) {
                throw new IllegalArgumentException("nationalPrefix: '" + p + "' is not 1 to 4 digits");
            }
            if (countryCode.isEmpty()) {
                throw new IllegalArgumentException("nationalPrefix: needs countryCode, the country its numbers belong to");
            }
        });
        return new NumberPlan(form, countryCode, nationalPrefix);
    }

    public Form form() {
        return form;
    }

    public Optional<String> countryCode() {
        return countryCode;
    }

    public Optional<String> nationalPrefix() {
        return nationalPrefix;
    }

    /**
     * The global number {@code dialled} stands for ({@code +} and 1 to 15 digits), or empty when
     * it is not a number under this plan.
     */
    public Optional<String> global(String dialled) {
        String s = VISUAL.matcher(dialled.trim()).replaceAll("");
        if (s.startsWith("+")) {
            String digits = s.substring(1);
            return isNumber(digits) ? Optional.of("+" + digits) : Optional.empty();
        }
        if (countryCode.isEmpty() || nationalPrefix.isEmpty() || !s.startsWith(nationalPrefix.get())) {
            return Optional.empty();
        }
        String digits = countryCode.get() + s.substring(nationalPrefix.get().length());
        return isNumber(s) && s.length() > nationalPrefix.get().length() && isNumber(digits)
                ? Optional.of("+" + digits) : Optional.empty();
    }

    /**
     * {@code global} (as {@link #global} returns it) written in this plan's form; {@code domain}
     * is the host of a {@link Form#SIP} URI.
     */
    public String uri(String global, String domain) {
        if (!global.startsWith("+") || !isNumber(global.substring(1))) {
            throw new IllegalArgumentException("not a global number: " + global);
        }
        return switch (form) {
            case TEL -> "tel:" + global;
            case SIP -> "sip:" + global + "@" + domain.toLowerCase(Locale.ROOT) + ";user=phone";
        };
    }

    private static boolean isNumber(String digits) {
        return DIGITS.matcher(digits).matches() && digits.length() <= MAX_DIGITS;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NumberPlan p && p.form == form && p.countryCode.equals(countryCode)
                && p.nationalPrefix.equals(nationalPrefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(form, countryCode, nationalPrefix);
    }

    @Override
    public String toString() {
        return "NumberPlan[" + form + " cc=" + countryCode.orElse("-") + " prefix=" + nationalPrefix.orElse("-") + "]";
    }
}
