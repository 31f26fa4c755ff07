package dev.passerelle.gateway.error;

/**
 * Every failure the gateway reports, with the JSON-RPC error code a client sees and the SIP status
 * a SIP peer sees. The JSON-RPC framing codes (-326xx) have no SIP meaning and map to 400; the
 * others use the SIP/HTTP status as the JSON-RPC code, as docs/protocol.md promises.
 */
public enum ErrorCode {
    PARSE_ERROR(-32700, 400, "Parse error"),
    INVALID_REQUEST(-32600, 400, "Invalid request"),
    METHOD_NOT_FOUND(-32601, 405, "Method not found"),
    INVALID_PARAMS(-32602, 400, "Invalid params"),
    BAD_REQUEST(400, 400, "Bad Request"),
    UNAUTHORIZED(401, 403, "Not logged in"),
    FORBIDDEN(403, 403, "Forbidden"),
    NOT_FOUND(404, 404, "Not Found"),
    /** A SIP peer's 407 that the gateway could not, or could no longer, answer (RFC 3261 §22.3). */
    PROXY_AUTHENTICATION_REQUIRED(407, 407, "Proxy Authentication Required"),
    TIMEOUT(408, 408, "Request Timeout"),
    RATE_LIMITED(429, 503, "Rate limited"),
    TEMPORARILY_UNAVAILABLE(480, 480, "Temporarily Unavailable"),
    CALL_DOES_NOT_EXIST(481, 481, "Call/Transaction Does Not Exist"),
    BUSY_HERE(486, 486, "Busy Here"),
    REQUEST_TERMINATED(487, 487, "Request Terminated"),
    NOT_ACCEPTABLE_HERE(488, 488, "Not Acceptable Here"),
    /** RFC 3261 §21.4.27: an offer/answer exchange of the same dialog is already in progress. */
    REQUEST_PENDING(491, 491, "Request Pending"),
    INTERNAL_ERROR(500, 500, "Server Internal Error"),
    SERVICE_UNAVAILABLE(503, 503, "Service Unavailable"),
    DECLINE(603, 603, "Decline");

    private final int rpcCode;
    private final int sipStatus;
    private final String reason;

    ErrorCode(int rpcCode, int sipStatus, String reason) {
        this.rpcCode = rpcCode;
        this.sipStatus = sipStatus;
        this.reason = reason;
    }

    /** The {@code code} of the JSON-RPC error object. */
    public int rpcCode() {
        return rpcCode;
    }

    /** The SIP final response status that stands for this error on the SIP side. */
    public int sipStatus() {
        return sipStatus;
    }

    /** The default human reason phrase. */
    public String reason() {
        return reason;
    }

    /** The code for a SIP final status received from a peer, so it can be passed on unchanged. */
    public static ErrorCode forSipStatus(int status) {
        for (ErrorCode c : values()) {
            if (c.rpcCode == status) {
                return c;
            }
        }
        return status >= 500 ? INTERNAL_ERROR : BAD_REQUEST;
    }
}
