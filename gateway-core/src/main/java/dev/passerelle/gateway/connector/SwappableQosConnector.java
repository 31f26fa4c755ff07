package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.IceServer;
import dev.passerelle.connector.spi.QosConnector;
import dev.passerelle.connector.spi.QualityReport;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QoS connector the routes hold for the life of the gateway, in front of the instance in use,
 * which the registry swaps; like the identity connector, a step that began on an instance
 * finishes on it.
 */
final class SwappableQosConnector implements QosConnector {
    private static final Logger log = LoggerFactory.getLogger(SwappableQosConnector.class);

    private final Slot<QosConnector> slot;

    SwappableQosConnector(Slot<QosConnector> slot) {
        this.slot = slot;
    }

    /**
     * @throws GatewayException SERVICE_UNAVAILABLE while no connector of the selected name is
     *     installed: a login without the ICE servers it needs would fail later and less clearly
     */
    @Override
    public List<IceServer> iceServers(String user) {
        ConnectorInstance<QosConnector> in = slot.acquire();
        if (in == null) {
            throw new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, slot.description() + " is not installed");
        }
        try {
            return in.connector().iceServers(user);
        } finally {
            in.release();
        }
    }

    /** Never throws, as the SPI promises the signaling path: a report nobody can take is dropped. */
    @Override
    public void report(QualityReport report) {
        ConnectorInstance<QosConnector> in = slot.acquire();
        if (in == null) {
            log.debug("{} is not installed: quality report of call {} dropped", slot.description(), report.callId());
            return;
        }
        try {
            in.connector().report(report);
        } catch (RuntimeException | LinkageError e) {
            log.warn("{} from {} failed to take the quality report of call {}: {}", slot.description(), in.origin(),
                    report.callId(), e.toString());
        } finally {
            in.release();
        }
    }

    /** The registry closes the instances it created; closing the routes' handle does nothing. */
    @Override
    public void close() {}

    Slot<QosConnector> slot() {
        return slot;
    }
}
