package dev.passerelle.gateway.signaling;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A decoded client message.
 *
 * @param id the JSON-RPC id (a string or number node), or null for a notification, which gets no
 *     response
 */
public record Request(JsonNode id, Method method, Params params) implements Inbound {

    public boolean isNotification() {
        return id == null;
    }
}
