package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.MediaConnector;

/**
 * Where the media connector of a call comes from. A call pins the instance in use when its first
 * offer came and keeps it until the call is released, even when a newer version of the connector
 * is installed meanwhile; only then may that instance be closed.
 */
public interface MediaConnectors {

    /**
     * Pins the instance in use now for one call.
     *
     * @throws dev.passerelle.gateway.error.GatewayException SERVICE_UNAVAILABLE while no connector
     *     of the selected name is installed
     */
    Pin pin();

    /** A media connector pinned for one call. */
    interface Pin {

        MediaConnector connector();

        /** Lets go of the instance once the call released what it held there. Idempotent. */
        void unpin();
    }

    /** Always the same instance, never swapped nor closed here: the anchor of web-to-web calls. */
    static MediaConnectors fixed(MediaConnector connector) {
        Pin pin = new Pin() {
            @Override
            public MediaConnector connector() {
                return connector;
            }

            @Override
            public void unpin() {}
        };
        return () -> pin;
    }
}
