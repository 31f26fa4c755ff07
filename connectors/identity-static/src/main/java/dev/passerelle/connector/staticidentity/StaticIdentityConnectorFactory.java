package dev.passerelle.connector.staticidentity;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;

/** {@code identity.connector: static}: users and their tokens listed in the configuration. */
public final class StaticIdentityConnectorFactory implements IdentityConnectorFactory {

    @Override
    public String name() {
        return "static";
    }

    @Override
    public int apiVersion() {
        return ConnectorApi.VERSION;
    }

    @Override
    public IdentityConnector create(ConnectorContext context) {
        return StaticIdentityConnector.fromSettings(context);
    }
}
