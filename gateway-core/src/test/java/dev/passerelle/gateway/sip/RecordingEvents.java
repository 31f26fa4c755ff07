package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** {@link SipEvents} that queue what happened as short strings, e.g. {@code failed id 486}. */
final class RecordingEvents implements SipEvents {

    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final BlockingQueue<InboundInvite> invites = new LinkedBlockingQueue<>();
    volatile Consumer<InboundInvite> onInvite = i -> { };
    volatile String lastSdp;

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
