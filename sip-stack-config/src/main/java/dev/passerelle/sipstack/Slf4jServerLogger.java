package dev.passerelle.sipstack;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-stack message logger of JAIN-SIP RI ({@code gov.nist.javax.sip.SERVER_LOGGER}),
 * forwarding to SLF4J logger {@code dev.passerelle.sip.messages}. It logs the first line and
 * Call-ID of each message at debug and whole messages only at trace, so message bodies (SDP with
 * ICE credentials) stay out of ordinary logs.
 */
public class Slf4jServerLogger implements ServerLogger {

    private static final Logger LOG = LoggerFactory.getLogger("dev.passerelle.sip.messages");

    private volatile String stackName = "?";

    public Slf4jServerLogger() {
        // The RI requires a public no-arg constructor.
    }

    @Override
    public void closeLogFile() {
        // Nothing to close: SLF4J owns the output.
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        log(message, from, to, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        log(message, from, to, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        log(message, from, to, sender);
    }

    @Override
    public void logException(Exception ex) {
        LOG.warn("[{}] SIP message exception", stackName, ex);
    }

    @Override
    public void setStackProperties(Properties properties) {
        String name = properties.getProperty("javax.sip.STACK_NAME");
        if (name != null) {
            stackName = name;
        }
    }

    @Override
    public void setSipStack(SipStack sipStack) {
        stackName = sipStack.getStackName();
    }

    private void log(SIPMessage message, String from, String to, boolean sender) {
        if (LOG.isTraceEnabled()) {
            LOG.trace("[{}] {} {} -> {}\n{}", stackName, sender ? "sent" : "received", from, to, message);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("[{}] {} {} -> {}: {} Call-ID {}", stackName, sender ? "sent" : "received", from, to,
                    message.getFirstLine().trim(), message.getCallId() == null ? "-" : message.getCallId().getCallId());
        }
    }
}
