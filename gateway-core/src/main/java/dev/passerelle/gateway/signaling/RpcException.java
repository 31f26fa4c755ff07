package dev.passerelle.gateway.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;

/** A message that could not be decoded; {@link #id()} is the request's id when it could be read. */
public final class RpcException extends GatewayException {
    private static final long serialVersionUID = 1L;

    private final transient JsonNode id;

    public RpcException(ErrorCode code, String message, JsonNode id) {
        super(code, message);
        this.id = id;
    }

    public JsonNode id() {
        return id;
    }
}
