package dev.passerelle.connector.spi;

/** The service type of provider connectors; every one installed is in use. */
public interface ProviderConnectorFactory extends ConnectorFactory {

    @Override
    default ConnectorKind kind() {
        return ConnectorKind.PROVIDER;
    }

    /**
     * Creates the connector from its settings ({@code providers.<name>}).
     *
     * @throws ConnectorException when the settings are invalid
     */
    ProviderConnector create(ConnectorContext context);
}
