package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.signaling.Results;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call flows, between the {@code websession} side and the {@code sip} side. Each route is one
 * thing that can happen to a call; the steps it runs are {@link CallSteps}.
 */
final class CallRoutes extends RouteBuilder {
    private static final Logger log = LoggerFactory.getLogger(CallRoutes.class);

    private final CallSteps steps;

    CallRoutes(CallSteps steps) {
        this.steps = steps;
    }

    @Override
    public void configure() {
        // A failure is the answer to whoever started the exchange (an error response, a SIP final
        // response), never a retry or a log line of Camel's own.
        errorHandler(noErrorHandler());

        // The browser calls: a web user is rung directly, a destination a provider claims goes to
        // that provider, anything else gets an INVITE.
        from("websession:call.invite").routeId("call.invite")
                .process(steps::resolveTarget)
                .choice()
                    .when(steps::targetIsWebUser)
                        .to("direct:invite-web-user")
                    .when(steps::targetIsProvider)
                        .process(steps::createProviderCall)
                    .otherwise()
                        .to("direct:invite-sip")
                .end()
                .process(steps::inviteResult);
        from("direct:invite-web-user").routeId("invite-web-user")
                .process(steps::createWebToWebCall)
                .to("websession:events");
        from("direct:invite-sip").routeId("invite-sip")
                .process(steps::createOutboundCall)
                .doTry()
                    .to("sip:invite")
                .doCatch(Exception.class)
                    .process(steps::abandonOutboundCall)
                .endDoTry();

        // Responses to our INVITE: 1xx → call.progress, 2xx (ACKed by the SIP side) → call.accepted.
        from("sip:progress").routeId("sip.progress")
                .process(steps::onProgress)
                .to("websession:events");
        from("sip:accepted").routeId("sip.accepted")
                .process(steps::onAccepted)
                .to("websession:events")
                .to("direct:sip-action");

        // A 3xx to our INVITE: the next permitted Contact gets a new INVITE, or the call ends.
        from("sip:redirected").routeId("sip.redirected")
                .process(steps::onRedirected)
                .choice()
                    .when(steps::isRedirectInvite)
                        .to("direct:redirect-invite")
                .end()
                .to("websession:events");
        from("direct:redirect-invite").routeId("redirect-invite")
                .doTry()
                    .to("sip:invite")
                .doCatch(Exception.class)
                .endDoTry()
                .process(steps::afterRedirectInvite);

        // The SIP leg ended by itself: final error, timeout, BYE or CANCEL from the peer.
        from("sip:failed").routeId("sip.failed")
                .process(steps::onSipEnded)
                .to("websession:events");
        from("sip:remote-bye").routeId("sip.remote-bye")
                .process(steps::onSipEnded)
                .to("websession:events");
        from("sip:remote-cancel").routeId("sip.remote-cancel")
                .process(steps::onSipEnded)
                .to("websession:events");

        // What a provider reports about its call, as a SIP leg would: progress, answer, end.
        from("direct:provider-event").routeId("provider-event")
                .choice()
                    .when(body().isInstanceOf(SipEvent.Progress.class))
                        .process(steps::onProgress)
                    .when(body().isInstanceOf(SipEvent.Accepted.class))
                        .process(steps::onAccepted)
                    .otherwise()
                        .process(steps::onSipEnded)
                .end()
                .to("websession:events");

        // A phone calls a web user: 404 or 480 (thrown), else 180 and every session rings.
        from("sip:incoming-invite").routeId("sip.incoming-invite")
                .process(steps::locateCallee)
                .process(steps::createInboundCall)
                .to("sip:ringing")
                .to("websession:events");

        // Our 200 was ACKed.
        from("sip:confirmed").routeId("sip.confirmed")
                .process(steps::onConfirmed)
                .to("websession:events");

        // A ringing session answers: the first one wins.
        from("websession:call.answer").routeId("call.answer")
                .process(steps::answer)
                .filter(steps::answerGoesToSip)
                    .to("sip:answer")
                .end()
                .to("websession:events")
                .setBody(constant(Results.Empty.INSTANCE));

        from("websession:call.reject").routeId("call.reject")
                .process(steps::reject)
                .to("websession:events")
                .to("direct:sip-action")
                .setBody(constant(Results.Empty.INSTANCE));

        from("websession:call.hangup").routeId("call.hangup")
                .process(steps::hangup)
                .to("websession:events")
                .to("direct:sip-action")
                .setBody(constant(Results.Empty.INSTANCE));

        // A new offer within an established call: from the browser (re-INVITE, or the other
        // browser's call.update request) or from the SIP peer (this browser's call.update request).
        // Both routes end with the stage of the answer.
        from("websession:call.update").routeId("call.update")
                .process(steps::update);
        from("sip:remote-offer").routeId("sip.remote-offer")
                .process(steps::onRemoteOffer);

        // DTMF: as RFC 4733 events through the media anchor or as INFO on a SIP leg (sip.dtmf), as the
        // call.dtmf event to the other browser of a web-to-web call.
        from("websession:call.dtmf").routeId("call.dtmf")
                .process(steps::dtmf)
                .filter(header(Headers.DTMF_TONES).isNotNull())
                    .to("sip:info")
                .end()
                .to("websession:events")
                .setBody(constant(Results.Empty.INSTANCE));
        from("sip:dtmf").routeId("sip.dtmf")
                .process(steps::onDtmf)
                .to("websession:events");

        // Blind transfer: REFER on the SIP leg; its progress becomes call.transferred, and a
        // successful one ends the call.
        from("websession:call.transfer").routeId("call.transfer")
                .process(steps::transfer)
                .to("sip:refer")
                .setBody(constant(Results.Empty.INSTANCE));
        from("sip:transfer").routeId("sip.transfer")
                .process(steps::onTransfer)
                .to("websession:events")
                .filter(header(Headers.END_CAUSE).isNotNull())
                    .to("direct:end-call")
                .end();

        // The phone asks the web user to call someone (REFER): the browser hears call.referred.
        from("sip:referred").routeId("sip.referred")
                .process(steps::onReferred)
                .to("websession:events");

        // Ending a call for any other reason: logout, lost session, drain, ring timeout.
        from("direct:end-call").routeId("end-call")
                .process(steps::endCall)
                .to("websession:events")
                .to("direct:sip-action");
        from("direct:ring-timeout").routeId("ring-timeout")
                .process(steps::ringTimeout)
                .to("websession:events")
                .to("direct:sip-action");

        // What ending a call asks of its SIP leg. The call is over for the web side whatever the
        // SIP side answers, so a leg that is already gone is only logged.
        from("direct:sip-action").routeId("sip-action")
                .doTry()
                    .to("direct:sip-action-perform")
                .doCatch(GatewayException.class)
                    .process(exchange -> log.info("call {}: SIP leg already gone: {}",
                            exchange.getMessage().getHeader(Headers.CALL_ID),
                            exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()))
                .endDoTry();
        from("direct:sip-action-perform").routeId("sip-action-perform")
                .choice()
                    .when(header(Headers.SIP_ACTION).isEqualTo(SipAction.CANCEL))
                        .to("sip:cancel")
                    .when(header(Headers.SIP_ACTION).isEqualTo(SipAction.BYE))
                        .to("sip:bye")
                    .when(header(Headers.SIP_ACTION).isEqualTo(SipAction.REJECT))
                        .to("sip:reject")
                .end();
    }
}
