package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.SipDialog;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;

/**
 * One SIP leg of the B2BUA, named by the gateway call id. Mutable state is guarded by the leg's
 * own monitor: stack threads and application threads both act on it.
 */
final class Leg {

    enum Direction {
        INBOUND,
        OUTBOUND,
        /**
         * Taken over from another node's {@link SipDialog} snapshot: driven like an outbound leg
         * (this node sends its requests), but which side sent the first INVITE is not kept.
         */
        ADOPTED
    }

    enum State {
        /** Outbound INVITE sent, no provisional response yet. */
        CALLING,
        /** Outbound INVITE got a provisional response. */
        PROCEEDING,
        /** Inbound INVITE answered 100 only. */
        INVITED,
        /** Inbound INVITE answered 180. */
        RINGING,
        /** Inbound INVITE answered 2xx, ACK not yet received. */
        ANSWERED,
        /** Dialog confirmed both ways. */
        CONFIRMED,
        /** Outbound INVITE abandoned: CANCEL sent, or waiting for a provisional to send it. */
        CANCELLING,
        /** Our BYE is on its way. */
        ENDING,
        /** Removed from the registry; nothing more happens on this leg. */
        ENDED
    }

    final String callId;
    final Direction direction;
    final String sipCallId;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    State state;
    Dialog dialog;
    ClientTransaction inviteClientTransaction;
    ServerTransaction inviteServerTransaction;
    Request ack;
    String localTag;
    String transport;
    String localSdp;
    String remoteSdp;
    /**
     * INFO bodies waiting for the INFO in flight to get its final response: one at a time keeps
     * the tones in order, which UDP does not, and a peer refuses a lower CSeq after a higher one
     * (RFC 3261 §12.2.2).
     */
    final ArrayDeque<String> pendingInfo = new ArrayDeque<>();
    /** Whether an INFO of this leg waits for its final response. */
    boolean infoInFlight;
    /** The Refer-To URI of the transfer under way (RFC 3515), null when none is. */
    String referTarget;
    /** Whether the implicit subscription of a REFER the peer sent is active (RFC 3515 §2.4.4). */
    boolean referral;
    /** Whether the application reported on that REFER's new call yet. */
    boolean referralReported;
    /** Set when the application cancelled before any provisional arrived (RFC 3261 §9.1). */
    boolean cancelWhenProvisional;
    /** The caller's address of record of an outbound leg, whose registration's credentials answer a challenge. */
    String fromAor;
    /** Set once a 401/407 to our INVITE has been answered: a second one ends the leg (RFC 3261 §22.2). */
    boolean challengeAnswered;
    /** Set when the application hung up before the ACK of our 2xx (RFC 3261 §15). */
    boolean byeAfterAck;
    /**
     * The dialog state of an {@link Direction#ADOPTED} leg, which has no JAIN-SIP {@link Dialog}:
     * its requests are built from it (RFC 3261 §12.2.1.1). Replaced as the dialog moves on
     * (CSeq, remote target, SDP), never shared.
     */
    SipDialog model;
    /** RFC 3262 §4, UAC: the RSeq of the last reliable provisional we PRACKed; -1 before the first. */
    long prackedRSeq = -1;
    /** RFC 3262 §3, UAS: the INVITE required 100rel, so our 18x go reliably. */
    boolean reliableProvisionals;
    /** UAS: a reliable 18x waits for its PRACK; the RSeq it carries (-1 until the stack assigned it). */
    boolean awaitingPrack;
    long pendingRSeq = -1;
    /** UAS: the SDP of the 2xx held back until the PRACK of our reliable 18x (RFC 3262 §3). */
    String heldAnswer;
    /** RFC 4028: the session interval in seconds; 0 when the leg has no session timer. */
    long sessionInterval;
    /** RFC 4028: whether this side is the refresher. */
    boolean weRefresh;
    /** Whether the peer's Allow lists UPDATE, so refreshes need no SDP (RFC 4028 §10). */
    boolean peerAllowsUpdate;
    /** Whether the peer's Supported or Require lists {@code timer} (RFC 4028 §9). */
    boolean peerSupportsTimer;
    /** The CSeq number of our session refresh in flight, -1 when none; its method. */
    long refreshCseq = -1;
    String refreshMethod;
    /** Set once a 422 to our INVITE has been retried (RFC 4028 §7.3): a second 422 fails the leg. */
    boolean retried422;
    /** A new offer of the peer (UPDATE) waits for the application's answer (RFC 3311 §5.2). */
    boolean remoteOfferPending;
    /** The leg's refresh or expiry timer (RFC 4028 §10); cancelled when the leg ends. */
    ScheduledFuture<?> sessionTask;
    /** The outcome of the adoption re-INVITE; completed once, by its final response or the leg's end. */
    CompletableFuture<Void> adoption;
    /** Why the adoption failed, set when the leg's end reports it (the registry is left first). */
    GatewayException adoptionFailure;
    /** The CSeq number of the adoption re-INVITE. */
    long adoptionCseq;
    /** The ACK of the adoption re-INVITE's 2xx, sent again for each retransmission of that 2xx. */
    Request adoptionAck;
    /** The application's re-INVITE (RFC 3261 §14.1), from {@link SipService#reinvite} to its outcome. */
    ReInvites.Pending reInvite;
    /** The CSeq number of the last re-INVITE this side sent; 0 before the first. */
    long reInviteCseq;
    /** The ACK of that re-INVITE's 2xx, sent again for each retransmission of that 2xx. */
    Request reInviteAck;
    /** The peer's re-INVITE with a new offer waits for the application's answer (RFC 3261 §14.2). */
    boolean answeringReInvite;
    /** Our 2xx to the peer's re-INVITE without SDP carried an offer: its ACK carries the answer (§14.2). */
    boolean answerInAck;

    Leg(String callId, Direction direction, String sipCallId, State state) {
        this.callId = callId;
        this.direction = direction;
        this.sipCallId = sipCallId;
        this.state = state;
    }

    /** Completes when the leg leaves the registry. */
    CompletableFuture<Void> ended() {
        return ended;
    }

    /** Whether the adoption re-INVITE still waits for its final response. */
    boolean adopting() {
        return adoption != null && !adoption.isDone();
    }

    void markEnded() {
        synchronized (this) {
            state = State.ENDED;
            if (sessionTask != null) {
                sessionTask.cancel(false);
                sessionTask = null;
            }
        }
        ended.complete(null);
    }

    @Override
    public String toString() {
        return "Leg[" + callId + " " + direction + " " + state + " sip-call-id=" + sipCallId + "]";
    }
}
