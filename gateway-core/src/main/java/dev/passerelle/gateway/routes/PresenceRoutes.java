package dev.passerelle.gateway.routes;

import org.apache.camel.builder.RouteBuilder;

/**
 * Presence: publish, subscribe and unsubscribe from the browsers, states from SIP presentities,
 * and the session's start and end as {@link SessionRoutes} hands them over.
 */
final class PresenceRoutes extends RouteBuilder {

    /** Where {@link SessionRoutes} sends a login once it succeeded; the body (the login result) comes back as it was. */
    static final String LOGGED_IN = "direct:presence-logged-in";
    /** Where {@link SessionRoutes} sends a session that ended (logout or expiry); the body comes back as it was. */
    static final String SESSION_ENDED = "direct:presence-session-ended";

    private final PresenceSteps steps;

    PresenceRoutes(PresenceSteps steps) {
        this.steps = steps;
    }

    @Override
    public void configure() {
        errorHandler(noErrorHandler());

        from("websession:presence.publish").routeId("presence.publish")
                .process(steps::publish);

        // Ends with the stage of the SIP subscription's outcome for a SIP presentity.
        from("websession:presence.subscribe").routeId("presence.subscribe")
                .process(steps::subscribe);

        from("websession:presence.unsubscribe").routeId("presence.unsubscribe")
                .process(steps::unsubscribe);

        from("sip:presence").routeId("sip.presence")
                .process(steps::onSipPresence)
                .to("websession:events");

        from(LOGGED_IN).routeId("presence.logged-in")
                .process(steps::loggedIn);

        from(SESSION_ENDED).routeId("presence.session-ended")
                .process(steps::sessionEnded);
    }
}
