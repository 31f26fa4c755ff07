package dev.passerelle.gateway.routes;

import org.apache.camel.builder.RouteBuilder;

/** Chat and data: {@code message.send}, {@code data.send}, and SIP MESSAGE for web users. */
final class MessageRoutes extends RouteBuilder {

    private final MessageSteps steps;

    MessageRoutes(MessageSteps steps) {
        this.steps = steps;
    }

    @Override
    public void configure() {
        // A failure is the answer: an error response, or the final response to the MESSAGE.
        errorHandler(noErrorHandler());

        from("websession:message.send").routeId("message.send")
                .process(steps::send);
        from("websession:data.send").routeId("data.send")
                .process(steps::data);
        // Ends with the status the SIP side answers the MESSAGE with.
        from("sip:" + SipComponent.INCOMING_MESSAGE).routeId("sip.incoming-message")
                .process(steps::onSipMessage);
    }
}
