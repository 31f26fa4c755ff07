package dev.passerelle.connector.spi;

/** A login token was refused. The message is shown to the client, so it reveals nothing secret. */
public class AuthenticationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
