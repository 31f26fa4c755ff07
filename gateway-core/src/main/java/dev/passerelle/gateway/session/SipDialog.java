package dev.passerelle.gateway.session;

import java.util.List;
import java.util.Objects;

/**
 * One confirmed SIP dialog as the store keeps it, so that another node can take it over or end it
 * (RFC 3261 §12: the dialog state a UA keeps). Plain data only, serialised as JSON by the store.
 * "Local" is the gateway's side of the dialog, whichever node holds it.
 *
 * @param sipCallId the dialog's Call-ID
 * @param localTag our tag (From tag of our requests)
 * @param remoteTag the peer's tag (To tag of our requests)
 * @param localParty our address as name-addr text without tag, e.g. {@code "Alice" <sip:alice@example.com>}
 * @param remoteParty the peer's address as name-addr text without tag
 * @param localCseq the CSeq number of the last request we sent in the dialog (0 when none yet)
 * @param remoteCseq the CSeq number of the last request the peer sent in the dialog (0 when none yet)
 * @param routeSet the Route header values in the order our requests carry them (empty when none)
 * @param remoteTarget the URI our requests are sent to (the peer's last Contact)
 * @param transport {@code udp} or {@code tcp}
 * @param localSdp the last SDP we sent, or null
 * @param remoteSdp the last SDP the peer sent, or null
 */
public record SipDialog(
        String sipCallId,
        String localTag,
        String remoteTag,
        String localParty,
        String remoteParty,
        long localCseq,
        long remoteCseq,
        List<String> routeSet,
        String remoteTarget,
        String transport,
        String localSdp,
        String remoteSdp) {

    public SipDialog {
        Objects.requireNonNull(sipCallId, "sipCallId");
        Objects.requireNonNull(localTag, "localTag");
        Objects.requireNonNull(remoteTag, "remoteTag");
        Objects.requireNonNull(localParty, "localParty");
        Objects.requireNonNull(remoteParty, "remoteParty");
        Objects.requireNonNull(remoteTarget, "remoteTarget");
        Objects.requireNonNull(transport, "transport");
        routeSet = routeSet == null ? List.of() : List.copyOf(routeSet);
    }

    /** The same dialog after we sent a request numbered {@code cseq}. */
    public SipDialog withLocalCseq(long cseq) {
        return new SipDialog(sipCallId, localTag, remoteTag, localParty, remoteParty, cseq, remoteCseq, routeSet,
                remoteTarget, transport, localSdp, remoteSdp);
    }

    /** The same dialog after the peer sent a request numbered {@code cseq}. */
    public SipDialog withRemoteCseq(long cseq) {
        return new SipDialog(sipCallId, localTag, remoteTag, localParty, remoteParty, localCseq, cseq, routeSet,
                remoteTarget, transport, localSdp, remoteSdp);
    }

    /** The same dialog after a target refresh (RFC 3261 §12.2.1.2, §12.2.2). */
    public SipDialog withRemoteTarget(String target) {
        return new SipDialog(sipCallId, localTag, remoteTag, localParty, remoteParty, localCseq, remoteCseq,
                routeSet, target, transport, localSdp, remoteSdp);
    }

    /** The same dialog after the peer sent {@code sdp} (an answer or an offer). */
    public SipDialog withRemoteSdp(String sdp) {
        return new SipDialog(sipCallId, localTag, remoteTag, localParty, remoteParty, localCseq, remoteCseq,
                routeSet, remoteTarget, transport, localSdp, sdp);
    }
}
