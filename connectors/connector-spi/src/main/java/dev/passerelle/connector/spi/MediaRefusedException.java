package dev.passerelle.connector.spi;

/**
 * A media connector cannot use an SDP: no common codec, a transport it cannot relay. The offer or
 * answer is refused with 488 Not Acceptable Here and this message.
 */
public class MediaRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MediaRefusedException(String message) {
        super(message);
    }
}
