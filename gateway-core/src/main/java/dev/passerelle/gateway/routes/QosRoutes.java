package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.signaling.Results;
import org.apache.camel.builder.RouteBuilder;

/** Quality reports from the browsers: kept in the call's record, handed to the QoS connector. */
final class QosRoutes extends RouteBuilder {

    private final QosSteps steps;

    QosRoutes(QosSteps steps) {
        this.steps = steps;
    }

    @Override
    public void configure() {
        errorHandler(noErrorHandler());

        // Runs on the node holding the socket, whoever owns the call: the record is changed by
        // compare-and-set in the store, and the connector only queues.
        from("websession:qos.report").routeId("qos.report")
                .process(steps::report)
                .setBody(constant(Results.Empty.INSTANCE));
    }
}
