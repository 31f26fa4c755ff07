package dev.passerelle.gateway.routes;

import dev.passerelle.connector.spi.ProviderCall;
import dev.passerelle.connector.spi.ProviderInvite;
import dev.passerelle.connector.spi.ProviderListener;
import dev.passerelle.gateway.connector.Providers;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider calls this node drives: for each, the provider instance pinned when it was placed
 * and the handle {@link dev.passerelle.connector.spi.ProviderConnector#invite} returned. A call
 * keeps its instance until it ends, however it ends: the claim is closed exactly then. What the
 * provider reports comes back as the {@link SipEvent}s a SIP leg would produce. Thread-safe: a
 * provider may call its listener from any thread, even from inside {@code invite}.
 */
final class ProviderCalls {
    private static final Logger log = LoggerFactory.getLogger(ProviderCalls.class);

    private final Map<String, Placed> live = new ConcurrentHashMap<>();

    /** One call: its claim, and its handle once {@code invite} returned. */
    private static final class Placed {
        private final Providers.Claim claim;
        private ProviderCall handle;
        private boolean hungUp;

        Placed(Providers.Claim claim) {
            this.claim = claim;
        }
    }

    /**
     * Places the call with the claimed provider; what it reports goes to {@code events}. On
     * failure the claim is closed.
     *
     * @throws GatewayException 503 with the provider's message when it cannot place the call
     */
    void place(Providers.Claim claim, ProviderInvite invite, Consumer<SipEvent> events) {
        String callId = invite.callId();
        Placed placed = new Placed(claim);
        live.put(callId, placed);
        ProviderCall handle;
        try {
            handle = claim.connector().invite(invite, new Listener(callId, events));
        } catch (RuntimeException | LinkageError e) {
            live.remove(callId, placed);
            claim.close();
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "provider " + claim.name() + " cannot place the call: " + e.getMessage(), e);
        }
        boolean hangUpNow;
        synchronized (placed) {
            placed.handle = handle;
            hangUpNow = placed.hungUp;
        }
        if (hangUpNow) {
            // The call ended on our side while invite was still running.
            release(callId, placed, handle);
        }
    }

    /**
     * The gateway ended the call (hangup, logout, expiry, drain, an unusable answer): the provider
     * hears {@link ProviderCall#hangup()} and its instance is let go. Nothing for a call not
     * placed here or already over.
     */
    void hangUp(String callId) {
        Placed placed = live.remove(callId);
        if (placed == null) {
            return;
        }
        ProviderCall handle;
        synchronized (placed) {
            placed.hungUp = true;
            handle = placed.handle;
        }
        if (handle != null) {
            release(callId, placed, handle);
        }
    }

    /** Whether the call is one of this node's provider calls, still going. */
    boolean isLive(String callId) {
        return live.containsKey(callId);
    }

    private static void release(String callId, Placed placed, ProviderCall handle) {
        try {
            handle.hangup();
        } catch (RuntimeException | LinkageError e) {
            log.warn("call {}: provider {} failed to hang up: {}", callId, placed.claim.name(), e.toString());
        } finally {
            placed.claim.close();
        }
    }

    /** The provider's side of one call; ignores what comes after the end. */
    private final class Listener implements ProviderListener {
        private final String callId;
        private final Consumer<SipEvent> events;

        Listener(String callId, Consumer<SipEvent> events) {
            this.callId = callId;
            this.events = events;
        }

        @Override
        public void progress(int code, String reason, String sdp) {
            if (isLive(callId)) {
                events.accept(new SipEvent.Progress(callId, code, reason == null ? "" : reason, sdp));
            } else {
                log.debug("call {}: progress {} from its provider after the end, ignored", callId, code);
            }
        }

        @Override
        public void accepted(String sdp) {
            if (isLive(callId)) {
                events.accept(new SipEvent.Accepted(callId, sdp));
            } else {
                log.debug("call {}: answer from its provider after the end, ignored", callId);
            }
        }

        @Override
        public void ended(int code, String reason) {
            Placed placed = live.remove(callId);
            if (placed == null) {
                log.debug("call {}: end {} from its provider after the end, ignored", callId, code);
                return;
            }
            // The provider ended it: nothing to hang up, only the instance to let go.
            placed.claim.close();
            events.accept(new SipEvent.Failed(callId, code, reason == null ? "" : reason));
        }
    }
}
