package dev.passerelle.gateway.signaling;

/** One client connection as the signaling layer sees it; the WebSocket transport implements it. */
public interface ClientConnection {

    /** Unique per node for the life of the process. */
    String id();

    /**
     * Queues a text frame without blocking. Returns false when the connection is closed, or when
     * its outbound queue is full, in which case the connection is being closed with 1008.
     */
    boolean send(String frame);

    /** Closes with a WebSocket status code and reason. */
    void close(int statusCode, String reason);
}
