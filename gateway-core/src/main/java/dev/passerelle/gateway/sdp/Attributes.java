package dev.passerelle.gateway.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Look-ups over an attribute list, shared by the session and media levels. */
final class Attributes {

    private Attributes() {}

    static Optional<Attribute> first(List<Attribute> attributes, String name) {
        for (Attribute a : attributes) {
            if (a.name().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    static Optional<String> value(List<Attribute> attributes, String name) {
        for (Attribute a : attributes) {
            if (a.name().equals(name) && a.value() != null) {
                return Optional.of(a.value());
            }
        }
        return Optional.empty();
    }

    static List<String> values(List<Attribute> attributes, String name) {
        List<String> out = new ArrayList<>();
        for (Attribute a : attributes) {
            if (a.name().equals(name) && a.value() != null) {
                out.add(a.value());
            }
        }
        return out;
    }

    static Optional<Direction> direction(List<Attribute> attributes) {
        for (Attribute a : attributes) {
            Optional<Direction> d = Direction.ofAttribute(a.name());
            if (d.isPresent()) {
                return d;
            }
        }
        return Optional.empty();
    }

    static List<Attribute> withDirection(List<Attribute> attributes, Direction direction) {
        List<Attribute> out = new ArrayList<>(attributes.size() + 1);
        boolean replaced = false;
        for (Attribute a : attributes) {
            if (Direction.ofAttribute(a.name()).isPresent()) {
                if (!replaced) {
                    out.add(Attribute.flag(direction.attribute()));
                    replaced = true;
                }
            } else {
                out.add(a);
            }
        }
        if (!replaced) {
            out.add(Attribute.flag(direction.attribute()));
        }
        return out;
    }

    static List<Fingerprint> fingerprints(List<Attribute> attributes) {
        List<Fingerprint> out = new ArrayList<>();
        for (String v : values(attributes, "fingerprint")) {
            out.add(Fingerprint.parse(v));
        }
        return out;
    }

    static List<String> iceOptions(List<Attribute> attributes) {
        List<String> out = new ArrayList<>();
        for (String v : values(attributes, "ice-options")) {
            out.addAll(Syntax.fields(v, "ice-options"));
        }
        return out;
    }

    /** The text before the first space of an attribute value (the format of fmtp, rtcp-fb …). */
    static String firstField(String value) {
        int sp = value.indexOf(' ');
        return sp < 0 ? value : value.substring(0, sp);
    }

    /** The text after the first space, or "" when there is none. */
    static String rest(String value) {
        int sp = value.indexOf(' ');
        return sp < 0 ? "" : value.substring(sp + 1);
    }

    /**
     * The payload type (0-127) a value starts with, followed by a space or the end, as in rtpmap,
     * fmtp and rtcp-fb values; -1 otherwise.
     */
    static int leadingPayloadType(String value) {
        int n = 0;
        int i = 0;
        for (; i < value.length() && i < 4 && Syntax.isDigit(value.charAt(i)); i++) {
            n = n * 10 + (value.charAt(i) - '0');
        }
        boolean ended = i == value.length() || value.charAt(i) == ' ';
        return i == 0 || i == 4 || !ended || n > 127 ? -1 : n;
    }
}
