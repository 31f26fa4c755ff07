package dev.passerelle.connector.spi;

/**
 * What a connector is for. The kind fixes the factory interface a connector implements, the
 * configuration section its settings come from ({@code <section>.<name>}, handed over as
 * {@link ConnectorContext#settings()}) and the key that selects it.
 */
public enum ConnectorKind {
    /** Turns login tokens into web users; one is selected by {@code identity.connector}. */
    IDENTITY("identity", "identity.connector", IdentityConnectorFactory.class),
    /** Hands out ICE servers and takes quality reports; one is selected by {@code qos.connector}. */
    QOS("qos", "qos.connector", QosConnectorFactory.class),
    /** Anchors the media of calls; one is selected by {@code media.anchor}. */
    MEDIA("media", "media.anchor", MediaConnectorFactory.class),
    /**
     * Reaches another communication service for the destinations it claims. Every provider
     * installed is in use; none is selected.
     */
    PROVIDER("providers", null, ProviderConnectorFactory.class);

    private final String section;
    private final String selectionKey;
    private final Class<? extends ConnectorFactory> factoryType;

    ConnectorKind(String section, String selectionKey, Class<? extends ConnectorFactory> factoryType) {
        this.section = section;
        this.selectionKey = selectionKey;
        this.factoryType = factoryType;
    }

    /** The configuration section of this kind's settings, e.g. {@code qos} for {@code qos.turn.*}. */
    public String section() {
        return section;
    }

    /** The key that selects the connector of this kind in use, or null when all are in use. */
    public String selectionKey() {
        return selectionKey;
    }

    /** The service type a connector jar lists in {@code META-INF/services}. */
    public Class<? extends ConnectorFactory> factoryType() {
        return factoryType;
    }

    /** The configuration key of {@code name}'s settings, e.g. {@code qos.turn}. */
    public String settingsKey(String name) {
        return section + "." + name;
    }
}
