package dev.passerelle.gateway;

import dev.passerelle.gateway.config.GatewayConfig;
import java.time.Duration;

/**
 * The composition root: builds every part of one node from its {@link GatewayConfig}, starts them
 * in order and drains them on the way out. Nothing else in the code creates a long-lived part.
 */
public final class Gateway implements AutoCloseable {

    private final GatewayConfig config;

    public Gateway(GatewayConfig config) {
        this.config = config;
    }

    /** Starts every part; returns once the WebSocket and SIP listeners accept traffic. */
    public void start() {
        throw new IllegalStateException("composition root under construction for " + config.node().id());
    }

    /** The bound WebSocket port (the configured one, or the one picked for 0). */
    public int webSocketPort() {
        return -1;
    }

    /** The bound SIP port, UDP and TCP. */
    public int sipPort() {
        return -1;
    }

    /**
     * Refuses new calls, ends live calls (BYE to SIP legs, {@code call.ended} to their sessions),
     * waits up to {@code grace} for the SIP side to finish, then stops every part.
     */
    public void drain(Duration grace) {
    }

    @Override
    public void close() {
        drain(Duration.ofSeconds(5));
    }
}
