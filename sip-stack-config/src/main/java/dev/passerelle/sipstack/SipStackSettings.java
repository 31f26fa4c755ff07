package dev.passerelle.sipstack;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything the gateway decides about its JAIN-SIP stack, typed and checked. Immutable: a
 * {@link Builder} validates every value when {@link Builder#build()} runs, so an instance is valid
 * by construction. {@link SipStackProperties} is the only place that turns it into JAIN-SIP
 * property names.
 */
public final class SipStackSettings {

    /** Which transports the stack is tuned for. TLS and IMS profiles come with their own settings. */
    public enum Profile {
        /** UDP and TCP listening points, stream connections cached both ways. */
        DEFAULT,
        /** TCP first: connections cached and kept alive, as for a trunk to a proxy. */
        TCP
    }

    /** How much of the stack's own logging reaches SLF4J. */
    public enum LogLevel {
        OFF, ERROR, WARN, INFO, DEBUG, TRACE
    }

    private static final Pattern STACK_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Profile profile;
    private final String stackName;
    private final Optional<String> ipAddress;
    private final int threadPoolSize;
    private final int maxMessageSize;
    private final boolean retransmissionFilter;
    private final boolean automaticDialogSupport;
    private final boolean cacheClientConnections;
    private final boolean cacheServerConnections;
    private final Duration reliableConnectionKeepAliveTimeout;
    private final Duration earlyDialogTimeout;
    private final int dialogTimeoutFactor;
    private final LogLevel logLevel;
    private final boolean nioTransport;
    private final Optional<TlsSettings> tls;

    private SipStackSettings(Builder b) {
        this.profile = b.profile;
        this.stackName = b.stackName;
        this.ipAddress = b.ipAddress;
        this.threadPoolSize = b.threadPoolSize;
        this.maxMessageSize = b.maxMessageSize;
        this.retransmissionFilter = b.retransmissionFilter;
        this.automaticDialogSupport = b.automaticDialogSupport;
        this.cacheClientConnections = b.cacheClientConnections;
        this.cacheServerConnections = b.cacheServerConnections;
        this.reliableConnectionKeepAliveTimeout = b.reliableConnectionKeepAliveTimeout;
        this.earlyDialogTimeout = b.earlyDialogTimeout;
        this.dialogTimeoutFactor = b.dialogTimeoutFactor;
        this.logLevel = b.logLevel;
        this.nioTransport = b.nioTransport;
        this.tls = b.tls;
    }

    /** A builder holding the defaults of {@code profile}. */
    public static Builder builder(Profile profile) {
        return new Builder(Objects.requireNonNull(profile, "profile"));
    }

    public Profile profile() {
        return profile;
    }

    public String stackName() {
        return stackName;
    }

    /** The stack's own address; empty lets each listening point name its address. */
    public Optional<String> ipAddress() {
        return ipAddress;
    }

    public int threadPoolSize() {
        return threadPoolSize;
    }

    public int maxMessageSize() {
        return maxMessageSize;
    }

    public boolean retransmissionFilter() {
        return retransmissionFilter;
    }

    /** Off by default: a B2BUA creates each dialog itself, so the stack must not. */
    public boolean automaticDialogSupport() {
        return automaticDialogSupport;
    }

    public boolean cacheClientConnections() {
        return cacheClientConnections;
    }

    public boolean cacheServerConnections() {
        return cacheServerConnections;
    }

    /** How long an idle TCP connection stays open; zero keeps it until the peer closes it. */
    public Duration reliableConnectionKeepAliveTimeout() {
        return reliableConnectionKeepAliveTimeout;
    }

    /** How long a dialog may stay early (1xx received or sent, no final response). */
    public Duration earlyDialogTimeout() {
        return earlyDialogTimeout;
    }

    /**
     * How many T1 ticks (500 ms) a dialog waits for the ACK of its 2xx before it reports a
     * timeout; 64 is 64*T1 of RFC 3261 §13.3.1.4.
     */
    public int dialogTimeoutFactor() {
        return dialogTimeoutFactor;
    }

    public LogLevel logLevel() {
        return logLevel;
    }

    /** Whether stream transports use the NIO message processors (one selector, many connections). */
    public boolean nioTransport() {
        return nioTransport;
    }

    /** SIP over TLS, when the stack has a TLS listening point. */
    public Optional<TlsSettings> tls() {
        return tls;
    }

    @Override
    public String toString() {
        return "SipStackSettings[profile=" + profile + ", stackName=" + stackName
                + ", ipAddress=" + ipAddress.orElse("-") + ", threadPoolSize=" + threadPoolSize
                + ", maxMessageSize=" + maxMessageSize + ", logLevel=" + logLevel + "]";
    }

    /** Collects values; {@link #build()} checks them all and names the first bad one. */
    public static final class Builder {
        private final Profile profile;
        private String stackName = "passerelle";
        private Optional<String> ipAddress = Optional.empty();
        private int threadPoolSize = 16;
        private int maxMessageSize = 65_536;
        private boolean retransmissionFilter = true;
        private boolean automaticDialogSupport;
        private boolean cacheClientConnections = true;
        private boolean cacheServerConnections = true;
        private Duration reliableConnectionKeepAliveTimeout;
        private Duration earlyDialogTimeout = Duration.ofMinutes(3);
        private int dialogTimeoutFactor = 64;
        private LogLevel logLevel = LogLevel.WARN;
        private boolean nioTransport = true;
        private Optional<TlsSettings> tls = Optional.empty();

        private Builder(Profile profile) {
            this.profile = profile;
            this.reliableConnectionKeepAliveTimeout =
                    profile == Profile.TCP ? Duration.ofMinutes(10) : Duration.ofMinutes(2);
        }

        public Builder stackName(String value) {
            this.stackName = value;
            return this;
        }

        public Builder ipAddress(String value) {
            this.ipAddress = Optional.ofNullable(value);
            return this;
        }

        public Builder threadPoolSize(int value) {
            this.threadPoolSize = value;
            return this;
        }

        public Builder maxMessageSize(int value) {
            this.maxMessageSize = value;
            return this;
        }

        public Builder retransmissionFilter(boolean value) {
            this.retransmissionFilter = value;
            return this;
        }

        public Builder automaticDialogSupport(boolean value) {
            this.automaticDialogSupport = value;
            return this;
        }

        public Builder cacheClientConnections(boolean value) {
            this.cacheClientConnections = value;
            return this;
        }

        public Builder cacheServerConnections(boolean value) {
            this.cacheServerConnections = value;
            return this;
        }

        public Builder reliableConnectionKeepAliveTimeout(Duration value) {
            this.reliableConnectionKeepAliveTimeout = value;
            return this;
        }

        public Builder earlyDialogTimeout(Duration value) {
            this.earlyDialogTimeout = value;
            return this;
        }

        public Builder dialogTimeoutFactor(int value) {
            this.dialogTimeoutFactor = value;
            return this;
        }

        public Builder logLevel(LogLevel value) {
            this.logLevel = value;
            return this;
        }

        public Builder nioTransport(boolean value) {
            this.nioTransport = value;
            return this;
        }

        public Builder tls(TlsSettings value) {
            this.tls = Optional.ofNullable(value);
            return this;
        }

        /** The settings, or {@link IllegalArgumentException} naming the first invalid one. */
        public SipStackSettings build() {
            if (stackName == null || !STACK_NAME.matcher(stackName).matches()) {
                throw new IllegalArgumentException(
                        "stackName must be 1..64 of [A-Za-z0-9._-], was " + quoted(stackName));
            }
            if (ipAddress.isPresent() && ipAddress.get().isBlank()) {
                throw new IllegalArgumentException("ipAddress must not be blank when set");
            }
            range("threadPoolSize", threadPoolSize, 1, 1024);
            // RFC 3261 §18.1.1: a UA must accept at least the 1300-byte path MTU case; below 4 KiB
            // ordinary INVITEs with WebRTC SDP no longer fit.
            range("maxMessageSize", maxMessageSize, 4096, 1 << 24);
            range("dialogTimeoutFactor", dialogTimeoutFactor, 1, 1024);
            duration("reliableConnectionKeepAliveTimeout", reliableConnectionKeepAliveTimeout,
                    Duration.ZERO, Duration.ofDays(1));
            duration("earlyDialogTimeout", earlyDialogTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
            if (logLevel == null) {
                throw new IllegalArgumentException("logLevel must be set, was null");
            }
            return new SipStackSettings(this);
        }

        private static void range(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", was " + value);
            }
        }

        private static void duration(String name, Duration value, Duration min, Duration max) {
            if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", was " + value);
            }
        }

        private static String quoted(String s) {
            return s == null ? "null" : "\"" + s + "\"";
        }
    }
}
