package com.example.passerelle.skeleton;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;

/**
 * Found by the gateway through {@code META-INF/services/dev.passerelle.connector.spi.IdentityConnectorFactory}
 * and selected by {@code identity.connector: skeleton}. The class must be public with a public
 * no-argument constructor; it should do nothing until {@link #create} is called.
 */
public final class SkeletonConnectorFactory implements IdentityConnectorFactory {

    @Override
    public String name() {
        return "skeleton";
    }

    /** The gateway refuses a connector built for another version of the SPI. */
    @Override
    public int apiVersion() {
        return ConnectorApi.VERSION;
    }

    /** Called at start and again for every new version of the jar: settings are read here, once. */
    @Override
    public IdentityConnector create(ConnectorContext context) {
        return new SkeletonConnector(SkeletonSettings.from(context));
    }
}
