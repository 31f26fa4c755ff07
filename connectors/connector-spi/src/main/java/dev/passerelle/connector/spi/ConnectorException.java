package dev.passerelle.connector.spi;

/**
 * A connector cannot be created: its settings are invalid or a resource it needs is missing.
 * The message names the configuration key at fault.
 */
public class ConnectorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConnectorException(String message) {
        super(message);
    }

    public ConnectorException(String message, Throwable cause) {
        super(message, cause);
    }
}
