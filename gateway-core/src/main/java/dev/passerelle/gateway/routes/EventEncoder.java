package dev.passerelle.gateway.routes;

import dev.passerelle.gateway.signaling.Event;

/** Renders an event as the frame a client receives (the protocol codec does it). */
@FunctionalInterface
public interface EventEncoder {
    String encode(Event event, long seq);
}
