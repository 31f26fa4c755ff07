package dev.passerelle.connector.spi;

import java.util.Map;

/**
 * What the gateway hands a connector when it creates it.
 *
 * @param settingsKey the configuration key of {@code settings}, e.g. {@code identity.static}, for
 *     error messages that name the key at fault
 * @param settings the connector's own configuration subtree: maps, lists, strings, numbers and
 *     booleans as read from YAML, unmodifiable
 * @param sipDomain the SIP domain of web users ({@code sip.domain})
 */
public record ConnectorContext(String settingsKey, Map<String, Object> settings, String sipDomain) {

    public ConnectorContext {
        settings = settings == null ? Map.of() : settings;
    }
}
