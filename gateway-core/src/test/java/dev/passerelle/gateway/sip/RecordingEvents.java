package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.fail;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/** {@link SipEvents} that queue what happened as short strings, e.g. {@code failed id 486}. */
final class RecordingEvents implements SipEvents {

    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final BlockingQueue<InboundInvite> invites = new LinkedBlockingQueue<>();
    final BlockingQueue<RegistrationState> registrations = new LinkedBlockingQueue<>();
    volatile Consumer<InboundInvite> onInvite = i -> { };
    volatile String lastSdp;
    final BlockingQueue<InboundMessage> messages = new LinkedBlockingQueue<>();
    /** How an incoming MESSAGE is answered; by default delivered (200). */
    volatile java.util.function.Function<InboundMessage, CompletionStage<Integer>> onMessage =
            m -> CompletableFuture.completedFuture(200);
    /** How a remote offer is answered; by default refused with 488. */
    volatile BiFunction<String, String, CompletionStage<String>> onOffer = (callId, sdp) ->
            CompletableFuture.failedFuture(new GatewayException(ErrorCode.NOT_ACCEPTABLE_HERE, "refused"));

    @Override
    public void incomingInvite(InboundInvite invite) {
        invites.add(invite);
        onInvite.accept(invite);
    }

    @Override
    public void progress(String callId, int status, String reason, String sdp) {
        events.add("progress " + callId + " " + status);
    }

    @Override
    public void accepted(String callId, String sdp) {
        lastSdp = sdp;
        events.add("accepted " + callId);
    }

    @Override
    public void failed(String callId, int status, String reason) {
        events.add("failed " + callId + " " + status + " " + reason);
    }

    @Override
    public void redirected(String callId, int status, String reason, java.util.List<String> contacts) {
        events.add("redirected " + callId + " " + status + " " + contacts);
    }

    @Override
    public void confirmed(String callId) {
        events.add("confirmed " + callId);
    }

    @Override
    public void remoteBye(String callId) {
        events.add("remoteBye " + callId);
    }

    @Override
    public void remoteCancel(String callId) {
        events.add("remoteCancel " + callId);
    }

    @Override
    public CompletionStage<String> remoteOffer(String callId, String sdp) {
        events.add("remoteOffer " + callId);
        return onOffer.apply(callId, sdp);
    }

    @Override
    public void registrationState(String aor, RegistrationState state) {
        registrations.add(state);
    }

    RegistrationState nextRegistration(Duration timeout) throws InterruptedException {
        RegistrationState r = registrations.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            fail("no registrationState within " + timeout);
        }
        return r;
    }

    @Override
    public void dtmf(String callId, String tones) {
        events.add("dtmf " + callId + " " + tones);
    }

    @Override
    public void transfer(String callId, String target, int status, boolean outcome) {
        events.add("transfer " + callId + " " + target + " " + status + (outcome ? " outcome" : ""));
    }

    @Override
    public void referred(String callId, String target, String referredBy) {
        events.add("referred " + callId + " " + target + " " + referredBy);
    }

    @Override
    public CompletionStage<Integer> message(InboundMessage message) {
        messages.add(message);
        return onMessage.apply(message);
    }

    InboundMessage nextMessage(Duration timeout) throws InterruptedException {
        InboundMessage m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            fail("no message within " + timeout);
        }
        return m;
    }

    @Override
    public void presence(String subscriptionId, PresenceStatus status, String note, boolean terminated) {
        events.add("presence " + subscriptionId + " " + status.wire() + (note == null ? "" : " " + note)
                + (terminated ? " terminated" : ""));
    }

    String next(Duration timeout) throws InterruptedException {
        String e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            fail("no SIP event within " + timeout);
        }
        return e;
    }

    InboundInvite nextInvite(Duration timeout) throws InterruptedException {
        InboundInvite i = invites.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (i == null) {
            fail("no incomingInvite within " + timeout);
        }
        return i;
    }
}
