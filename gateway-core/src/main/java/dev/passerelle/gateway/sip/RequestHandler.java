package dev.passerelle.gateway.sip;

/** Handles the requests of one SIP method, already checked by {@link RequestValidator}. */
interface RequestHandler {

    /**
     * Acts on the request and answers it. May throw: the listener then answers 500 if nothing was
     * answered yet.
     */
    void handle(IncomingRequest in) throws Exception;
}
