package dev.passerelle.gateway.error;

/**
 * The one exception type that crosses layers. Whoever catches it at an edge answers with
 * {@link ErrorCode#rpcCode()} on the WebSocket side or {@link ErrorCode#sipStatus()} on the SIP
 * side, with {@link #getMessage()} as the human text.
 */
public class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public GatewayException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public GatewayException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
