package dev.passerelle.gateway.routes;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;

/**
 * Runs the route of one SIP event on the stack's thread, synchronously, so that the SIP side
 * learns the outcome of an incoming INVITE before it answers it.
 */
final class SipConsumer extends NamedConsumer {

    SipConsumer(SipEndpoint endpoint, Processor processor, String name) {
        super(endpoint, processor, name, endpoint.getComponent().consumers());
    }

    /** Processes the event; when {@code rethrow}, a failure of the route is thrown to the SIP side. */
    void dispatch(String callId, Object body, boolean rethrow) {
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setHeader(Headers.CALL_ID, callId);
            exchange.getMessage().setBody(body);
            getProcessor().process(exchange);
            Exception failure = exchange.getException();
            if (failure != null) {
                if (failure instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new RuntimeCamelException(failure);
            }
        } catch (RuntimeException e) {
            if (rethrow) {
                throw e;
            }
            getExceptionHandler().handleException("sip:" + name() + " route failed for call " + callId, exchange, e);
        } catch (Exception e) {
            if (rethrow) {
                throw new RuntimeCamelException(e);
            }
            getExceptionHandler().handleException("sip:" + name() + " route failed for call " + callId, exchange, e);
        } finally {
            releaseExchange(exchange, false);
        }
    }
}
