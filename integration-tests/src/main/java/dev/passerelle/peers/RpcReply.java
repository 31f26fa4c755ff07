package dev.passerelle.peers;

import com.fasterxml.jackson.databind.JsonNode;

/** The gateway's answer to one JSON-RPC request: the whole message, with either result or error. */
public record RpcReply(JsonNode message) {

    public boolean isError() {
        return message.has("error");
    }

    /** The {@code result}; fails when the gateway answered with an error. */
    public JsonNode result() {
        if (isError()) {
            throw new AssertionError("expected a result, got " + message);
        }
        return message.get("result");
    }

    /** The {@code error} object; fails when the gateway answered with a result. */
    public JsonNode error() {
        if (!isError()) {
            throw new AssertionError("expected an error, got " + message);
        }
        return message.get("error");
    }

    /** The error code; fails when the gateway answered with a result. */
    public int errorCode() {
        return error().path("code").asInt();
    }
}
