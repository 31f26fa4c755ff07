package dev.passerelle.connector.spi;

/** The service type of QoS connectors, selected by {@code qos.connector}. */
public interface QosConnectorFactory extends ConnectorFactory {

    @Override
    default ConnectorKind kind() {
        return ConnectorKind.QOS;
    }

    /**
     * Creates the connector from its settings ({@code qos.<name>}).
     *
     * @throws ConnectorException when the settings are invalid
     */
    QosConnector create(ConnectorContext context);
}
