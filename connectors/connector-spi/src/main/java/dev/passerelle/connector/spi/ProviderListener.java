package dev.passerelle.connector.spi;

/**
 * How a provider tells the gateway what became of a call, in the terms of SIP responses. After
 * {@link #ended} nothing more is taken. Safe to call from any thread; a call after the end (the
 * provider's {@code ended}, or the gateway's {@link ProviderCall#hangup()}) is ignored.
 */
public interface ProviderListener {

    /** The far end is ringing (180) or has early media (183, with {@code sdp}). */
    void progress(int code, String reason, String sdp);

    /** The far end answered with {@code sdp}. */
    void accepted(String sdp);

    /**
     * The call is over: refused before the answer (a 4xx-6xx code), or hung up by the far end
     * after it (200).
     */
    void ended(int code, String reason);
}
