package dev.passerelle.gateway.sip.dns;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.stream.Collectors;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * DNS through the JDK's JNDI DNS provider, which knows NAPTR, SRV, A and AAAA records without a
 * further dependency. Without servers it asks those of the system configuration.
 */
final class JndiDns implements Dns {

    private final Hashtable<String, String> env = new Hashtable<>();

    JndiDns(List<String> servers) {
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, servers.isEmpty() ? "dns:"
                : servers.stream().map(s -> "dns://" + s).collect(Collectors.joining(" ")));
        // One second, then two and four: a dead server costs at most seven seconds per query.
        env.put("com.sun.jndi.dns.timeout.initial", "1000");
        env.put("com.sun.jndi.dns.timeout.retries", "3");
    }

    @Override
    public List<String> records(String name, String type) {
        DirContext context = null;
        try {
            context = new InitialDirContext(env);
            Attributes attributes = context.getAttributes(name, new String[] {type});
            Attribute attribute = attributes.get(type);
            List<String> out = new ArrayList<>();
            if (attribute != null) {
                NamingEnumeration<?> values = attribute.getAll();
                while (values.hasMore()) {
                    out.add(values.next().toString());
                }
            }
            return out;
        } catch (NameNotFoundException e) {
            return List.of();
        } catch (NamingException e) {
            throw new DnsException(type + " " + name + ": " + e, e);
        } finally {
            if (context != null) {
                try {
                    context.close();
                } catch (NamingException e) {
                    // Closing a DNS context releases nothing the next query needs.
                }
            }
        }
    }
}
