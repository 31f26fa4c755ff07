package dev.passerelle.gateway.routes;

/** The exchange headers the two components and the routes share. */
final class Headers {
    private Headers() {}

    /** The web session a client request came from (null before login). */
    static final String SESSION_ID = "PasserelleSessionId";
    /** The WebSocket connection a client request came from. */
    static final String CONNECTION_ID = "PasserelleConnectionId";
    /** The JSON-RPC method of a client request. */
    static final String METHOD = "PasserelleMethod";
    /** The gateway call id an exchange is about. */
    static final String CALL_ID = "PasserelleCallId";
    /** The SDP to send, for {@code sip:answer}. */
    static final String SDP = "PasserelleSdp";
    /** The {@link dev.passerelle.gateway.session.CallKind} of the call an exchange is about. */
    static final String CALL_KIND = "PasserelleCallKind";
    /** The SIP status to send, for {@code sip:reject}. */
    static final String SIP_STATUS = "PasserelleSipStatus";
    /** The reason phrase to send, for {@code sip:reject}. */
    static final String SIP_REASON = "PasserelleSipReason";
    /** What {@code direct:end-call} must do on the SIP leg: a {@link SipAction} name. */
    static final String SIP_ACTION = "PasserelleSipAction";
    /** The DTMF tones to send, for {@code sip:info}. */
    static final String DTMF_TONES = "PasserelleDtmfTones";
    /** How long each tone lasts in milliseconds, for {@code sip:info}. */
    static final String DTMF_DURATION = "PasserelleDtmfDuration";
    /** The SIP or tel URI a call is transferred to, for {@code sip:refer}. */
    static final String TRANSFER_TARGET = "PasserelleTransferTarget";
    /** The transferring web user's AOR, for {@code sip:refer}. */
    static final String REFERRED_BY = "PasserelleReferredBy";
    /** The call whose peer's REFER a {@code call.invite} answers ({@code referredBy}). */
    static final String REFERRING_CALL = "PasserelleReferringCall";
    /** Why a call ends, for {@code direct:end-call}: an {@link EndCause}. */
    static final String END_CAUSE = "PasserelleEndCause";
}
