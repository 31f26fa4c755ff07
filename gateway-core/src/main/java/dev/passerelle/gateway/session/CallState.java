package dev.passerelle.gateway.session;

/** Where a call is in its life. Transitions only move forward; {@link #ENDED} is final. */
public enum CallState {
    /** Offer sent (outbound) or being presented to the web sessions (inbound), no answer yet. */
    CALLING,
    /** A provisional response came (outbound), or the web sessions are ringing (inbound). */
    RINGING,
    /** Answered; for SIP legs waiting for the ACK. */
    ACCEPTED,
    /** Answer acknowledged: media flows. */
    CONFIRMED,
    ENDED;

    public boolean answered() {
        return this == ACCEPTED || this == CONFIRMED;
    }
}
