package dev.passerelle.connector.spi;

import java.util.List;

/**
 * What the gateway asks of the network around the media: the ICE servers a web user gets at login,
 * and where the quality reports of calls go. Thread-safe.
 */
public interface QosConnector extends AutoCloseable {

    /**
     * The {@code iceServers} of {@code user}'s login result, with credentials of their own where
     * the servers need them; empty when there are none. Called on the login path: it must not wait
     * on the network.
     */
    List<IceServer> iceServers(String user);

    /**
     * Takes one quality report of a call. Called on the signaling path: it must return at once and
     * never throw for a report it cannot forward; a connector that has to drop reports says so in
     * its log and its counts.
     */
    void report(QualityReport report);

    /** Sends what it still holds, within a bounded time, and frees its resources. */
    @Override
    default void close() {}
}
