package dev.passerelle.peers;

/** One SIP message a {@link SipPhone} received, as tests assert on it. */
public sealed interface PhoneEvent {

    String callId();

    /** The whole message as it was parsed, for failure messages and header checks. */
    String raw();

    /** A request the phone received; {@code body} is empty when it had none. */
    record Request(String method, String callId, long cseq, String body, String raw) implements PhoneEvent {
        @Override
        public String toString() {
            return method + " (Call-ID " + callId + ", CSeq " + cseq + ")";
        }
    }

    /** A response to a request the phone sent; {@code method} is the CSeq method. */
    record Response(int status, String method, String callId, String body, String raw) implements PhoneEvent {
        @Override
        public String toString() {
            return status + " to " + method + " (Call-ID " + callId + ")";
        }
    }

    /** The phone could not send to {@code target} (host:port): nobody listens there. */
    record TransportError(String target) implements PhoneEvent {
        @Override
        public String callId() {
            return "";
        }

        @Override
        public String raw() {
            return "";
        }
    }

    /** A transaction of the phone timed out: the other side never answered. */
    record Timeout(String method, String callId) implements PhoneEvent {
        @Override
        public String raw() {
            return "";
        }
    }
}
