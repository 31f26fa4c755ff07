package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.sip.InboundInvite;
import dev.passerelle.gateway.sip.InboundMessage;
import dev.passerelle.gateway.sip.PresenceStatus;
import dev.passerelle.gateway.sip.RegistrationState;
import dev.passerelle.gateway.sip.SipEvents;
import dev.passerelle.gateway.sip.SipService;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Camel component of the SIP side, scheme {@code sip}.
 * <ul>
 *   <li>Consumers, one per SIP event: {@code sip:incoming-invite} (body {@link InboundInvite};
 *       an exception thrown by the route is the final response), {@code sip:progress},
 *       {@code sip:accepted}, {@code sip:failed}, {@code sip:redirected}, {@code sip:confirmed},
 *       {@code sip:remote-bye}, {@code sip:remote-cancel}, {@code sip:dtmf}, {@code sip:transfer},
 *       {@code sip:referred} (bodies: the {@link SipEvent} records), {@code sip:remote-offer}
 *       (body {@link SipEvent.RemoteOffer}; the route ends with a
 *       {@code CompletionStage<String>} of the answer, and an exception is the refusal),
 *       {@code sip:registration-state} (body {@link RegistrationChanged}, no call id),
 *       {@code sip:incoming-message} (body {@link InboundMessage}; the route ends with the
 *       {@code Integer} status to answer, and an exception is answered with its SIP status),
 *       {@code sip:presence} (body {@link PresenceChanged}, no call id).</li>
 *   <li>Producers, one per SIP action: {@code sip:invite} (body
 *       {@link dev.passerelle.gateway.sip.OutboundInvite}), {@code sip:ringing}, {@code sip:answer}
 *       (header {@link Headers#SDP}), {@code sip:reject} (headers {@link Headers#SIP_STATUS},
 *       {@link Headers#SIP_REASON}), {@code sip:cancel}, {@code sip:bye}, {@code sip:info} (headers
 *       {@link Headers#DTMF_TONES}, {@link Headers#DTMF_DURATION}), {@code sip:refer} (headers
 *       {@link Headers#TRANSFER_TARGET}, {@link Headers#REFERRED_BY}); all but
 *       {@code sip:invite} name the call with {@link Headers#CALL_ID}.</li>
 *   <li>{@link SipService#reinvite} is called by the steps themselves: its answer comes later.</li>
 * </ul>
 */
final class SipComponent extends DefaultComponent implements SipEvents {
    private static final Logger log = LoggerFactory.getLogger(SipComponent.class);

    static final String INCOMING_INVITE = "incoming-invite";
    static final String REMOTE_OFFER = "remote-offer";
    static final String INCOMING_MESSAGE = "incoming-message";
    static final Set<String> EVENTS = Set.of(INCOMING_INVITE, INCOMING_MESSAGE, "progress", "accepted", "failed", "confirmed",
            "remote-bye", "remote-cancel", REMOTE_OFFER, "registration-state", "dtmf", "transfer", "redirected",
            "referred", "presence");
    static final Set<String> ACTIONS = Set.of("invite", "ringing", "answer", "reject", "cancel", "bye", "info", "refer");

    private final SipService sip;
    private final NamedConsumer.Registry<SipConsumer> consumers = new NamedConsumer.Registry<>("sip");

    SipComponent(SipService sip) {
        this.sip = sip;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new SipEndpoint(uri, this, remaining);
    }

    SipService sip() {
        return sip;
    }

    NamedConsumer.Registry<SipConsumer> consumers() {
        return consumers;
    }

    @Override
    public void incomingInvite(InboundInvite invite) {
        SipConsumer consumer = consumers.get(INCOMING_INVITE);
        if (consumer == null) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "not accepting calls");
        }
        consumer.dispatch(invite.callId(), invite, true);
    }

    @Override
    public void progress(String callId, int status, String reason, String sdp) {
        notify("progress", new SipEvent.Progress(callId, status, reason, sdp));
    }

    @Override
    public void accepted(String callId, String sdp) {
        notify("accepted", new SipEvent.Accepted(callId, sdp));
    }

    @Override
    public void failed(String callId, int status, String reason) {
        notify("failed", new SipEvent.Failed(callId, status, reason));
    }

    @Override
    public void redirected(String callId, int status, String reason, List<String> contacts) {
        notify("redirected", new SipEvent.Redirected(callId, status, reason, contacts));
    }

    @Override
    public void confirmed(String callId) {
        notify("confirmed", new SipEvent.Confirmed(callId));
    }

    @Override
    public void remoteBye(String callId) {
        notify("remote-bye", new SipEvent.RemoteBye(callId));
    }

    @Override
    public void remoteCancel(String callId) {
        notify("remote-cancel", new SipEvent.RemoteCancel(callId));
    }

    /** The body of {@code sip:registration-state}. */
    record RegistrationChanged(String aor, RegistrationState state) {}

    @Override
    public void registrationState(String aor, RegistrationState state) {
        SipConsumer consumer = consumers.get("registration-state");
        if (consumer == null) {
            log.warn("no route consumes sip:registration-state; {} of {} dropped", state, aor);
            return;
        }
        consumer.dispatch(null, new RegistrationChanged(aor, state), false);
    }

    /**
     * Runs the route of {@code sip:remote-offer}, which ends with the stage of the answer. Without
     * such a route a new session from SIP is refused and the one in force stays (RFC 3261 §14.2).
     */
    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<String> remoteOffer(String callId, String sdp) {
        SipConsumer consumer = consumers.get(REMOTE_OFFER);
        if (consumer == null) {
            return CompletableFuture.failedFuture(
                    new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "a new offer within the call is not accepted"));
        }
        try {
            Object answer = consumer.call(callId, new SipEvent.RemoteOffer(callId, sdp));
            if (answer instanceof CompletionStage<?> stage) {
                return (CompletionStage<String>) stage;
            }
            return CompletableFuture.failedFuture(new GatewayException(ErrorCode.INTERNAL_ERROR,
                    "route sip:" + REMOTE_OFFER + " ended without an answer"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Runs the route of {@code sip:incoming-message} on the stack's thread: without it, 503. A
     * {@link GatewayException} is answered with its SIP status, any other failure with 500.
     */
    @Override
    public CompletionStage<Integer> message(InboundMessage message) {
        SipConsumer consumer = consumers.get(INCOMING_MESSAGE);
        if (consumer == null) {
            return CompletableFuture.completedFuture(ErrorCode.SERVICE_UNAVAILABLE.sipStatus());
        }
        try {
            Object status = consumer.call(null, message);
            if (status instanceof Integer code) {
                return CompletableFuture.completedFuture(code);
            }
            return CompletableFuture.failedFuture(new GatewayException(ErrorCode.INTERNAL_ERROR,
                    "route sip:" + INCOMING_MESSAGE + " ended without a status"));
        } catch (GatewayException e) {
            return CompletableFuture.completedFuture(e.code().sipStatus());
        } catch (RuntimeException e) {
            log.error("route sip:{} failed for {}", INCOMING_MESSAGE, message.requestUser(), e);
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void transfer(String callId, String target, int status, boolean outcome) {
        notify("transfer", new SipEvent.Transfer(callId, target, status, outcome));
    }

    @Override
    public void referred(String callId, String target, String referredBy) {
        notify("referred", new SipEvent.Referred(callId, target, referredBy));
    }

    /** The body of {@code sip:presence}: the state a SIP presentity's NOTIFY carried. */
    record PresenceChanged(String subscriptionId, PresenceStatus status, String note, boolean terminated) {}

    @Override
    public void presence(String subscriptionId, PresenceStatus status, String note, boolean terminated) {
        SipConsumer consumer = consumers.get("presence");
        if (consumer == null) {
            log.warn("no route consumes sip:presence; {} of {} dropped", status, subscriptionId);
            return;
        }
        try {
            consumer.dispatch(null, new PresenceChanged(subscriptionId, status, note, terminated), false);
        } catch (RuntimeException e) {
            log.error("route sip:presence failed for subscription {}", subscriptionId, e);
        }
    }

    @Override
    public void dtmf(String callId, String tones) {
        notify("dtmf", new SipEvent.Dtmf(callId, tones));
    }

    private void notify(String name, SipEvent event) {
        SipConsumer consumer = consumers.get(name);
        if (consumer == null) {
            log.warn("no route consumes sip:{}; {} dropped", name, event);
            return;
        }
        try {
            consumer.dispatch(event.callId(), event, false);
        } catch (RuntimeException e) {
            log.error("route sip:{} failed for call {}", name, event.callId(), e);
        }
    }
}
