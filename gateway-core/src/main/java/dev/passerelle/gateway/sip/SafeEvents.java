package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's {@link SipEvents} as the stack threads call them: every event except
 * {@link SipEvents#incomingInvite} is isolated, so an exception in the application is logged and
 * never reaches the stack (the {@link SipEvents} contract).
 */
final class SafeEvents {

    private static final Logger LOG = LoggerFactory.getLogger(SafeEvents.class);

    private volatile SipEvents events;

    void set(SipEvents events) {
        this.events = events;
    }

    boolean isSet() {
        return events != null;
    }

    /** Propagates what the application throws: the caller turns it into the final response. */
    void incomingInvite(InboundInvite invite) {
        SipEvents e = events;
        if (e == null) {
            throw new IllegalStateException("no SipEvents set");
        }
        e.incomingInvite(invite);
    }

    void progress(String callId, int status, String reason, String sdp) {
        deliver("progress", callId, e -> e.progress(callId, status, reason, sdp));
    }

    void accepted(String callId, String sdp) {
        deliver("accepted", callId, e -> e.accepted(callId, sdp));
    }

    void failed(String callId, int status, String reason) {
        deliver("failed", callId, e -> e.failed(callId, status, reason));
    }

    void redirected(String callId, int status, String reason, List<String> contacts) {
        deliver("redirected", callId, e -> e.redirected(callId, status, reason, contacts));
    }

    void confirmed(String callId) {
        deliver("confirmed", callId, e -> e.confirmed(callId));
    }

    void remoteBye(String callId) {
        deliver("remoteBye", callId, e -> e.remoteBye(callId));
    }

    void remoteCancel(String callId) {
        deliver("remoteCancel", callId, e -> e.remoteCancel(callId));
    }

    void registrationState(String aor, RegistrationState state) {
        deliver("registrationState", aor, e -> e.registrationState(aor, state));
    }

    void transfer(String callId, String target, int status, boolean outcome) {
        deliver("transfer", callId, e -> e.transfer(callId, target, status, outcome));
    }

    void referred(String callId, String target, String referredBy) {
        deliver("referred", callId, e -> e.referred(callId, target, referredBy));
    }

    void presence(String subscriptionId, PresenceStatus status, String note, boolean terminated) {
        deliver("presence", subscriptionId, e -> e.presence(subscriptionId, status, note, terminated));
    }

    void dtmf(String callId, String tones) {
        deliver("dtmf", callId, e -> e.dtmf(callId, tones));
    }

    /** Never throws: what the application throws becomes a failed stage (500 to the peer). */
    CompletionStage<String> remoteOffer(String callId, String sdp) {
        SipEvents e = events;
        if (e == null) {
            return CompletableFuture.failedFuture(
                    new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, "no SipEvents set"));
        }
        try {
            return e.remoteOffer(callId, sdp);
        } catch (RuntimeException ex) {
            LOG.error("SipEvents.remoteOffer for {} threw", callId, ex);
            return CompletableFuture.failedFuture(ex);
        }
    }

    /** Never throws: what the application throws becomes a failed stage (500 to the peer). */
    CompletionStage<Integer> message(InboundMessage message) {
        SipEvents e = events;
        if (e == null) {
            return CompletableFuture.completedFuture(503);
        }
        try {
            return e.message(message);
        } catch (RuntimeException ex) {
            LOG.error("SipEvents.message for {} threw", message.requestUser(), ex);
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void deliver(String name, String callId, Consumer<SipEvents> call) {
        SipEvents e = events;
        if (e == null) {
            LOG.warn("{} for {} dropped: no SipEvents set", name, callId);
            return;
        }
        try {
            call.accept(e);
        } catch (RuntimeException ex) {
            LOG.error("SipEvents.{} for {} threw", name, callId, ex);
        }
    }
}
