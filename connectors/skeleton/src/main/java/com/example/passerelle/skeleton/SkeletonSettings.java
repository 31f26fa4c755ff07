package com.example.passerelle.skeleton;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.ConnectorSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connector's settings ({@code identity.skeleton.*}), checked once. Every refusal names its
 * key first, so the gateway reports it as a configuration error of that key (exit status 2 at
 * start; a refused unit, the previous one staying, during a hot reload).
 *
 * @param users token → user name
 * @param sipDomain the gateway's {@code sip.domain}, for the users' AORs
 */
record SkeletonSettings(Map<String, String> users, String sipDomain) {

    static SkeletonSettings from(ConnectorContext context) {
        String at = context.settingsKey();
        for (Object field : context.settings().keySet()) {
            if (!"tokens".equals(field)) {
                throw new ConnectorException(at + "." + field + ": unknown key");
            }
        }
        if (!(context.settings().get("tokens") instanceof Map<?, ?> tokens) || tokens.isEmpty()) {
            throw new ConnectorException(at + ".tokens: required, a mapping of token to user name");
        }
        Map<String, String> users = new LinkedHashMap<>();
        for (Object token : tokens.keySet()) {
            String user = ConnectorSettings.scalar(tokens, String.valueOf(token), at + ".tokens");
            if (user == null) {
                throw new ConnectorException(at + ".tokens." + token + ": a user name is required");
            }
            users.put(String.valueOf(token), user);
        }
        return new SkeletonSettings(Map.copyOf(users), context.sipDomain());
    }
}
