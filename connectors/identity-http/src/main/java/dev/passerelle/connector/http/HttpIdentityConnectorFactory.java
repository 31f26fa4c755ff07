package dev.passerelle.connector.http;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;
import java.time.Clock;

/**
 * {@code identity.connector: http}: login tokens are opaque OAuth 2.0 access tokens, checked by the
 * authorization server's introspection endpoint (RFC 7662; settings in docs/connectors.md).
 */
public final class HttpIdentityConnectorFactory implements IdentityConnectorFactory {

    @Override
    public String name() {
        return "http";
    }

    @Override
    public int apiVersion() {
        return ConnectorApi.VERSION;
    }

    @Override
    public IdentityConnector create(ConnectorContext context) {
        return new HttpIdentityConnector(HttpSettings.from(context), context.sipDomain(), Clock.systemUTC());
    }
}
