package dev.passerelle.gateway.sip.dns;

import java.util.List;

/** The records of one name and type, each in its presentation form; empty when there are none. */
interface Dns {

    /**
     * @throws DnsException when the servers cannot be asked (not when the name or type has no
     *     records)
     */
    List<String> records(String name, String type);

    /** The servers could not answer; the caller keeps what it knew before. */
    final class DnsException extends RuntimeException {
        DnsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
