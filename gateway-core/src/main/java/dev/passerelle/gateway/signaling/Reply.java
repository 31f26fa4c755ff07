package dev.passerelle.gateway.signaling;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A client's response to a request of the gateway: either {@code result} is set, or
 * {@code errorCode} (and maybe {@code errorMessage}) is.
 *
 * @param id the id of the gateway's request, always a string
 */
public record Reply(String id, JsonNode result, Integer errorCode, String errorMessage) implements Inbound {

    public boolean isError() {
        return errorCode != null;
    }
}
