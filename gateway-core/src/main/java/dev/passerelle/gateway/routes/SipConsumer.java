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

    /**
     * Processes the event and returns the body the route ended with; a failure of the route is
     * thrown.
     */
    Object call(String callId, Object body) {
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setHeader(Headers.CALL_ID, callId);
            exchange.getMessage().setBody(body);
            getProcessor().process(exchange);
            Exception failure = exchange.getException();
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure != null) {
                throw new RuntimeCamelException(failure);
            }
            return exchange.getMessage().getBody();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RuntimeCamelException(e);
        } finally {
            releaseExchange(exchange, false);
        }
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
