package dev.passerelle.gateway.session;

/** Which sides a call joins. */
public enum CallKind {
    /** A web session called a SIP destination. */
    WEB_TO_SIP,
    /** A SIP peer called a web user. */
    SIP_TO_WEB,
    /** A web session called another web user; relayed without SIP. */
    WEB_TO_WEB,
    /**
     * A web session called a destination a provider claimed (a connector or a route file): the
     * provider plays the part of the SIP leg, and only the node that placed the call holds it.
     */
    PROVIDER;

    /** Whether a web session placed the call and nobody rings for it on the web side. */
    public boolean placedByWeb() {
        return this == WEB_TO_SIP || this == PROVIDER;
    }
}
