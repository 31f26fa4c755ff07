package dev.passerelle.connector.spi;

/** The service type of media connectors (media anchors), selected by {@code media.anchor}. */
public interface MediaConnectorFactory extends ConnectorFactory {

    @Override
    default ConnectorKind kind() {
        return ConnectorKind.MEDIA;
    }

    /**
     * Creates the anchor from its settings ({@code media.<name>}).
     *
     * @throws ConnectorException when the settings are invalid or a server it needs is unknown
     */
    MediaConnector create(ConnectorContext context);
}
