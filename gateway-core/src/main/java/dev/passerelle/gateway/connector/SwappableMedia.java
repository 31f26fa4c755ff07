package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.MediaConnector;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.concurrent.atomic.AtomicBoolean;

/** The selected media connector as calls pin it: each pin holds the instance in use when it was taken. */
final class SwappableMedia implements MediaConnectors {
    private final Slot<MediaConnector> slot;

    SwappableMedia(Slot<MediaConnector> slot) {
        this.slot = slot;
    }

    @Override
    public Pin pin() {
        ConnectorInstance<MediaConnector> in = slot.acquire();
        if (in == null) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, slot.description() + " is not installed");
        }
        AtomicBoolean unpinned = new AtomicBoolean();
        return new Pin() {
            @Override
            public MediaConnector connector() {
                return in.connector();
            }

            @Override
            public void unpin() {
                if (unpinned.compareAndSet(false, true)) {
                    in.release();
                }
            }
        };
    }

    Slot<MediaConnector> slot() {
        return slot;
    }
}
