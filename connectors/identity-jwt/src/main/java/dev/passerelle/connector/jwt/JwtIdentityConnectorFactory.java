package dev.passerelle.connector.jwt;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;

/**
 * {@code identity.connector: jwt}: login tokens are JWTs signed by an identity provider, checked
 * against its JWKS URL or a shared HMAC key (settings in docs/connectors.md).
 */
public final class JwtIdentityConnectorFactory implements IdentityConnectorFactory {

    @Override
    public String name() {
        return "jwt";
    }

    @Override
    public int apiVersion() {
        return ConnectorApi.VERSION;
    }

    @Override
    public IdentityConnector create(ConnectorContext context) {
        return JwtIdentityConnector.create(JwtSettings.from(context), context.sipDomain());
    }
}
