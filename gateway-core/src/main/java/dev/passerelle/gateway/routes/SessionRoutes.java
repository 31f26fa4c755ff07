package dev.passerelle.gateway.routes;

import org.apache.camel.builder.RouteBuilder;

/** The life of a web session: login, resume, acknowledgement, logout, lost socket, drain. */
final class SessionRoutes extends RouteBuilder {

    private final SessionSteps steps;

    SessionRoutes(SessionSteps steps) {
        this.steps = steps;
    }

    @Override
    public void configure() {
        errorHandler(noErrorHandler());

        from("websession:session.login").routeId("session.login")
                .process(steps::login);

        from("websession:session.resume").routeId("session.resume")
                .process(steps::resume);

        from("websession:session.ack").routeId("session.ack")
                .process(steps::ack);

        from("websession:session.logout").routeId("session.logout")
                .process(steps::callsOfLoggingOutSession)
                .to("direct:end-calls")
                .process(steps::logout);

        // The socket dropped: the session waits session.resumeWindow for a resume, then ends.
        from("websession:detached").routeId("session.detached")
                .process(steps::detach);
        from("direct:session-expired").routeId("session.expired")
                .process(steps::callsOfExpiredSession)
                .to("direct:end-calls")
                .process(steps::removeSession);

        from("direct:drain").routeId("drain")
                .process(steps::allCalls)
                .to("direct:end-calls");

        // Body: call ids; header END_CAUSE: why they end.
        from("direct:end-calls").routeId("end-calls")
                .split(body())
                    .setHeader(Headers.CALL_ID, body())
                    .to("direct:end-call")
                .end();
    }
}
