package dev.passerelle.gateway.signaling;

/**
 * One frame from a client: a request (or notification) of its own, or its response to a request
 * the gateway sent it.
 */
public sealed interface Inbound permits Request, Reply {}
