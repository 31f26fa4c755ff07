package dev.passerelle.gateway.routes;

/**
 * A {@code passerelle:call-event} body that is not a valid event: the call is untouched, and a
 * {@code passerelle:webhook} whose route let it through answers 400 with this message.
 */
final class CallEventException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    CallEventException(String message) {
        super(message);
    }
}
