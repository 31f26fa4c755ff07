package dev.passerelle.gateway.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code a=candidate} (RFC 8839 §5.1):
 * {@code foundation component transport priority address port typ type [raddr a] [rport p] *(name value)}.
 *
 * @param relatedAddress null when absent
 * @param relatedPort    null when absent
 * @param extensions     the remaining name/value pairs in order, e.g. {@code generation 0}
 */
public record Candidate(String foundation, int component, String transport, long priority,
                        String address, int port, String type, String relatedAddress, Integer relatedPort,
                        List<Extension> extensions) {

    /** One extension pair of a candidate line. */
    public record Extension(String name, String value) {}

    public Candidate {
        Syntax.iceChars(foundation, 1, 32, "candidate foundation");
        if (component < 1 || component > 256) {
            throw new SdpException("candidate component is not a number 1-256");
        }
        Syntax.token(transport, "candidate transport");
        if (priority < 1 || priority > 4_294_967_295L) {
            throw new SdpException("candidate priority is not a number 1-4294967295");
        }
        Syntax.host(address, "candidate address");
        if (port < 0 || port > 65535) {
            throw new SdpException("candidate port is not a number 0-65535");
        }
        Syntax.token(type, "candidate type");
        if (relatedPort != null && (relatedPort < 0 || relatedPort > 65535)) {
            throw new SdpException("candidate rport is not a number 0-65535");
        }
        extensions = List.copyOf(extensions);
    }

    static Candidate parse(String value) {
        List<String> f = Syntax.fields(value, "candidate");
        if (f.size() < 8 || !"typ".equals(f.get(6))) {
            throw new SdpException("candidate needs foundation, component, transport, priority, address, port, typ, type (RFC 8839 §5.1)");
        }
        int component = Syntax.intNumber(f.get(1), 1, 256, "candidate component");
        long priority = Syntax.number(f.get(3), 1, 4_294_967_295L, "candidate priority");
        int port = Syntax.intNumber(f.get(5), 0, 65535, "candidate port");
        String raddr = null;
        Integer rport = null;
        List<Extension> ext = new ArrayList<>();
        int i = 8;
        if ((f.size() - i) % 2 != 0) {
            throw new SdpException("candidate extension " + f.get(f.size() - 1) + " has no value");
        }
        for (; i < f.size(); i += 2) {
            String name = f.get(i);
            String v = f.get(i + 1);
            if ("raddr".equals(name) && raddr == null && ext.isEmpty()) {
                raddr = Syntax.host(v, "candidate raddr");
            } else if ("rport".equals(name) && rport == null && ext.isEmpty()) {
                rport = Syntax.intNumber(v, 0, 65535, "candidate rport");
            } else {
                ext.add(new Extension(Syntax.token(name, "candidate extension name"), v));
            }
        }
        return new Candidate(f.get(0), component, f.get(2), priority, f.get(4), port, f.get(7), raddr, rport, ext);
    }

    /** The attribute value, as written on an {@code a=candidate} line. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(96).append(foundation).append(' ').append(component).append(' ')
                .append(transport).append(' ').append(priority).append(' ').append(address).append(' ')
                .append(port).append(" typ ").append(type);
        if (relatedAddress != null) {
            b.append(" raddr ").append(relatedAddress);
        }
        if (relatedPort != null) {
            b.append(" rport ").append(relatedPort);
        }
        for (Extension e : extensions) {
            b.append(' ').append(e.name()).append(' ').append(e.value());
        }
        return b.toString();
    }
}
