package dev.passerelle.gateway.signaling;

/** What the transport reports about client connections. */
public interface ConnectionListener {

    void opened(ClientConnection connection);

    /** One text frame, within the transport's size limit. */
    void text(ClientConnection connection, String text);

    void closed(ClientConnection connection, int statusCode, String reason);
}
