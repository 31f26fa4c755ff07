package dev.passerelle.sipstack;

import gov.nist.core.StackLogger;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JAIN-SIP RI stack logger, forwarding to SLF4J so log4j 1.x is never needed. The RI
 * instantiates it by class name ({@code gov.nist.javax.sip.STACK_LOGGER}) and keeps it JVM-global.
 * Fatal and error lines stay errors; the RI's warnings about TLS defaults the gateway does not use
 * go to debug.
 */
public class Slf4jStackLogger implements StackLogger {

    private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip");

    private volatile boolean enabled = true;

    public Slf4jStackLogger() {
        // The RI requires a public no-arg constructor.
    }

    @Override
    public void logStackTrace() {
        logStackTrace(TRACE_DEBUG);
    }

    @Override
    public void logStackTrace(int traceLevel) {
        if (isLoggingEnabled(traceLevel)) {
            LOG.debug("stack trace", new Throwable("stack trace"));
        }
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable ex) {
        LOG.error("SIP stack exception", ex);
    }

    @Override
    public void logDebug(String message) {
        if (enabled) {
            LOG.debug(message);
        }
    }

    @Override
    public void logDebug(String message, Exception ex) {
        if (enabled) {
            LOG.debug(message, ex);
        }
    }

    @Override
    public void logTrace(String message) {
        if (enabled) {
            LOG.trace(message);
        }
    }

    @Override
    public void logFatalError(String message) {
        LOG.error(message);
    }

    @Override
    public void logError(String message) {
        LOG.error(message);
    }

    @Override
    public void logError(String message, Exception ex) {
        LOG.error(message, ex);
    }

    @Override
    public void logWarning(String message) {
        if (isTlsDefaultNotice(message)) {
            LOG.debug(message);
        } else if (enabled) {
            LOG.warn(message);
        }
    }

    @Override
    public void logInfo(String message) {
        if (enabled) {
            LOG.info(message);
        }
    }

    @Override
    public boolean isLoggingEnabled() {
        return enabled;
    }

    @Override
    public boolean isLoggingEnabled(int level) {
        if (!enabled) {
            return false;
        }
        if (level >= TRACE_TRACE) {
            return LOG.isTraceEnabled();
        }
        if (level >= TRACE_DEBUG) {
            return LOG.isDebugEnabled();
        }
        if (level >= TRACE_INFO) {
            return LOG.isInfoEnabled();
        }
        if (level >= TRACE_WARN) {
            return LOG.isWarnEnabled();
        }
        return level > TRACE_NONE && LOG.isErrorEnabled();
    }

    @Override
    public void disableLogging() {
        enabled = false;
    }

    @Override
    public void enableLogging() {
        enabled = true;
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
        LOG.debug("JAIN-SIP RI build {}", buildTimeStamp);
    }

    @Override
    public void setStackProperties(Properties properties) {
        // Levels come from the SLF4J backend configuration, not from stack properties.
    }

    @Override
    public String getLoggerName() {
        return LOG.getName();
    }

    static boolean isTlsDefaultNotice(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("tls") || m.contains("keystore") || m.contains("truststore");
    }
}
