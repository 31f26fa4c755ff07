package dev.passerelle.connector.spi;

/**
 * The identity server could not tell whether a token is good: it is down, silent or answered with
 * an error of its own. The login fails with 503, not 401: the token may well be good, and the
 * client should try again later. The message is shown to the client, so it reveals nothing secret.
 */
public class IdentityUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IdentityUnavailableException(String message) {
        super(message);
    }

    public IdentityUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
