package dev.passerelle.gateway.routes;

import java.util.List;

/** The bodies the {@code sip:} consumers put on their exchanges, one record per SIP event. */
sealed interface SipEvent {

    String callId();

    record Progress(String callId, int status, String reason, String sdp) implements SipEvent {}

    record Accepted(String callId, String sdp) implements SipEvent {}

    record Failed(String callId, int status, String reason) implements SipEvent {}

    record Confirmed(String callId) implements SipEvent {}

    record Redirected(String callId, int status, String reason, List<String> contacts) implements SipEvent {
        public Redirected {
            contacts = List.copyOf(contacts);
        }
    }

    record RemoteBye(String callId) implements SipEvent {}

    record RemoteCancel(String callId) implements SipEvent {}

    /** A new offer of the SIP peer within the call (re-INVITE, UPDATE). */
    record RemoteOffer(String callId, String sdp) implements SipEvent {}

    record Dtmf(String callId, String tones) implements SipEvent {}

    record Referred(String callId, String target, String referredBy) implements SipEvent {}

    record Transfer(String callId, String target, int status, boolean outcome) implements SipEvent {}
}
