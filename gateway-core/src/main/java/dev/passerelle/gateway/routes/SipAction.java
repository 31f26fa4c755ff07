package dev.passerelle.gateway.routes;

/** What ending a call asks of its SIP leg. */
enum SipAction {
    /** No SIP leg (web-to-web), or the SIP side ended it already. */
    NONE,
    /** Outbound leg not answered yet. */
    CANCEL,
    /** Answered leg, either direction. */
    BYE,
    /** Inbound leg not answered yet: a final non-2xx response. */
    REJECT
}
