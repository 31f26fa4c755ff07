package dev.passerelle.gateway.config;

/** An invalid configuration; the message starts with the key at fault. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public ConfigException(String key, String problem, Throwable cause) {
        super(key + ": " + problem, cause);
        this.key = key;
    }

    /** The dotted key at fault, e.g. {@code sip.port}. */
    public String key() {
        return key;
    }
}
