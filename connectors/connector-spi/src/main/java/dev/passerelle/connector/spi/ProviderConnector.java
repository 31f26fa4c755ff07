package dev.passerelle.connector.spi;

/**
 * Another communication service, reached instead of SIP for the destinations it claims (a
 * partner's HTTP or WebSocket API, a messaging platform). Its events come back into the call as if
 * from SIP. Thread-safe.
 */
public interface ProviderConnector extends AutoCloseable {

    /** Whether calls to {@code destination} (as the web user wrote it in {@code call.invite}) go here. */
    boolean claims(String destination);

    /**
     * Places a call. Returns at once; what happens next comes through {@code listener}, which the
     * provider calls from any thread, in order, until {@link ProviderListener#ended}.
     *
     * @throws ConnectorException when the call cannot be placed at all (503 to the caller)
     */
    ProviderCall invite(ProviderInvite invite, ProviderListener listener);

    @Override
    default void close() {}
}
