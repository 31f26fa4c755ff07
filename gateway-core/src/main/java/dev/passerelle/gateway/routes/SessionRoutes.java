package dev.passerelle.gateway.routes;

import org.apache.camel.builder.RouteBuilder;

/** The life of a web session: login, resume, acknowledgement, logout, lost socket, drain. */
final class SessionRoutes extends RouteBuilder {

    private final SessionSteps steps;
    private final RegistrationSteps registrations;

    SessionRoutes(SessionSteps steps, RegistrationSteps registrations) {
        this.steps = steps;
        this.registrations = registrations;
    }

    @Override
    public void configure() {
        errorHandler(noErrorHandler());

        from("websession:session.login").routeId("session.login")
                .process(steps::login)
                .process(registrations::loggedIn)
                .to(PresenceRoutes.LOGGED_IN);

        from("websession:session.resume").routeId("session.resume")
                .process(steps::resume);

        from("websession:session.ack").routeId("session.ack")
                .process(steps::ack);

        from("websession:session.logout").routeId("session.logout")
                .process(steps::callsOfLoggingOutSession)
                .process(registrations::sessionEnding)
                .to("direct:end-calls")
                .process(steps::logout)
                .process(registrations::sessionEnded)
                .to(PresenceRoutes.SESSION_ENDED);

        // The socket dropped: the session waits session.resumeWindow for a resume, then ends.
        from("websession:detached").routeId("session.detached")
                .process(steps::detach);
        from("direct:session-expired").routeId("session.expired")
                .process(steps::callsOfExpiredSession)
                .process(registrations::sessionEnding)
                .to("direct:end-calls")
                .process(steps::removeSession)
                .process(registrations::sessionEnded)
                .to(PresenceRoutes.SESSION_ENDED);

        // IMS mode: the registration on the users' behalf, reported to their sessions here.
        from("sip:registration-state").routeId("sip.registration-state")
                .process(registrations::stateChanged)
                .to("websession:events");

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
