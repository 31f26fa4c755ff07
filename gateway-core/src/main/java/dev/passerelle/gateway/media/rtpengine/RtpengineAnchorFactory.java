package dev.passerelle.gateway.media.rtpengine;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.MediaConnector;
import dev.passerelle.connector.spi.MediaConnectorFactory;

/**
 * The built-in media connector {@code rtpengine}, from the settings {@code media.rtpengine}
 * ({@link RtpengineSettings#from}); its ng hosts are resolved when it is created, so that a typo
 * stops the start naming {@code media.rtpengine.ng}.
 */
public final class RtpengineAnchorFactory implements MediaConnectorFactory {

    @Override
    public String name() {
        return "rtpengine";
    }

    @Override
    public int apiVersion() {
        return ConnectorApi.VERSION;
    }

    @Override
    public MediaConnector create(ConnectorContext context) {
        return new RtpengineAnchor(RtpengineSettings.from(context));
    }
}
