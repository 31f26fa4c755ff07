package dev.passerelle.gateway.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Connectors see only the SPI, so they log through {@link System.Logger}; what they log must land
 * in the gateway's log, with its level, not on the JDK's own console handler.
 */
class ConnectorLoggingTest {

    @Test
    void systemLoggerLinesReachTheGatewaysLog() {
        String name = "dev.passerelle.connector.probe";
        Logger logback = (Logger) LoggerFactory.getLogger(name);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logback.addAppender(appender);
        try {
            System.getLogger(name).log(System.Logger.Level.WARNING, "introspection endpoint {0} answered 500",
                    "https://id.example.com/introspect");

            List<ILoggingEvent> events = appender.list;
            assertEquals(1, events.size());
            assertEquals(Level.WARN, events.get(0).getLevel());
            assertEquals("introspection endpoint https://id.example.com/introspect answered 500",
                    events.get(0).getFormattedMessage());
        } finally {
            logback.detachAppender(appender);
        }
    }
}
