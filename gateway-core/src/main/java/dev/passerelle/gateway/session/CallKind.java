package dev.passerelle.gateway.session;

/** Which sides a call joins. */
public enum CallKind {
    /** A web session called a SIP destination. */
    WEB_TO_SIP,
    /** A SIP peer called a web user. */
    SIP_TO_WEB,
    /** A web session called another web user; relayed without SIP. */
    WEB_TO_WEB
}
