package dev.passerelle.gateway.media.passthrough;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.MediaConnector;
import dev.passerelle.connector.spi.MediaConnectorFactory;

/** The built-in media connector {@code passthrough}; it has no settings. */
public final class PassthroughAnchorFactory implements MediaConnectorFactory {

    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public int apiVersion() {
        return ConnectorApi.VERSION;
    }

    @Override
    public MediaConnector create(ConnectorContext context) {
        return new PassthroughAnchor();
    }
}
