package dev.passerelle.connector.turn;

import dev.passerelle.connector.spi.ConnectorApi;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.QosConnector;
import dev.passerelle.connector.spi.QosConnectorFactory;
import java.time.Clock;

/** {@code qos.connector: turn}: TURN REST API credentials, quality reports forwarded over HTTP. */
public final class TurnQosConnectorFactory implements QosConnectorFactory {

    @Override
    public String name() {
        return "turn";
    }

    @Override
    public int apiVersion() {
        return ConnectorApi.VERSION;
    }

    @Override
    public QosConnector create(ConnectorContext context) {
        return new TurnQosConnector(TurnSettings.from(context), Clock.systemUTC());
    }
}
