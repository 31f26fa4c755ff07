package dev.passerelle.gateway.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A received SIP message, split just enough for tests: first line, headers, body. */
record SipText(String firstLine, List<String[]> headers, String body, String raw) {

    static SipText parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        String head = end < 0 ? raw : raw.substring(0, end);
        String body = end < 0 ? "" : raw.substring(end + 4);
        String[] lines = head.split("\r\n");
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
            }
        }
        return new SipText(lines[0], headers, body, raw);
    }

    /** Cuts one whole message off the front of a stream buffer, or returns null. */
    static SipText takeFrom(StringBuilder stream) {
        while (stream.length() >= 2 && stream.charAt(0) == '\r' && stream.charAt(1) == '\n') {
            stream.delete(0, 2);
        }
        int end = stream.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        SipText head = parse(stream.substring(0, end + 4));
        String cl = head.header("Content-Length");
        int length = cl == null ? 0 : Integer.parseInt(cl.trim());
        if (stream.length() < end + 4 + length) {
            return null;
        }
        String raw = stream.substring(0, end + 4 + length);
        stream.delete(0, end + 4 + length);
        return parse(raw);
    }

    boolean isResponse() {
        return firstLine.startsWith("SIP/2.0 ");
    }

    int status() {
        return isResponse() ? Integer.parseInt(firstLine.substring(8, 11)) : -1;
    }

    String method() {
        return isResponse() ? null : firstLine.substring(0, firstLine.indexOf(' '));
    }

    boolean isResponse(int status, String cseqMethod) {
        return isResponse() && status() == status && cseqMethod.equals(cseqMethod());
    }

    String cseqMethod() {
        String cseq = header("CSeq");
        return cseq == null ? null : cseq.trim().split("\\s+")[1];
    }

    String header(String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name) || (compact(name) != null && h[0].equalsIgnoreCase(compact(name)))) {
                return h[1];
            }
        }
        return null;
    }

    List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                out.add(h[1]);
            }
        }
        return out;
    }

    String callId() {
        return header("Call-ID");
    }

    /** The tag parameter of a From or To value. */
    static String tag(String nameAddr) {
        for (String p : nameAddr.split(";")) {
            String t = p.trim();
            if (t.toLowerCase(Locale.ROOT).startsWith("tag=")) {
                return t.substring(4);
            }
        }
        return null;
    }

    /** The branch parameter of a Via value. */
    static String branchOf(String via) {
        for (String p : via.split(";")) {
            String t = p.trim();
            if (t.toLowerCase(Locale.ROOT).startsWith("branch=")) {
                return t.substring(7);
            }
        }
        return null;
    }

    /** The URI inside a Contact's angle brackets. */
    static String uriOf(String nameAddr) {
        int lt = nameAddr.indexOf('<');
        int gt = nameAddr.indexOf('>');
        return lt >= 0 && gt > lt ? nameAddr.substring(lt + 1, gt) : nameAddr.split(";")[0].trim();
    }

    private static String compact(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "call-id" -> "i";
            case "from" -> "f";
            case "to" -> "t";
            case "via" -> "v";
            case "contact" -> "m";
            case "content-length" -> "l";
            case "content-type" -> "c";
            default -> null;
        };
    }
}
