package dev.passerelle.connector.spi;

/** The service type of identity connectors, selected by {@code identity.connector}. */
public interface IdentityConnectorFactory extends ConnectorFactory {

    @Override
    default ConnectorKind kind() {
        return ConnectorKind.IDENTITY;
    }

    /**
     * Creates the connector from its settings.
     *
     * @throws ConnectorException when the settings are invalid
     */
    IdentityConnector create(ConnectorContext context);
}
