package dev.passerelle.connector.spi;

/** A call a provider placed, as the gateway holds it. */
public interface ProviderCall {

    /**
     * The web user hung up, before or after the answer, or the gateway ended the call. Returns at
     * once; the provider does not call {@link ProviderListener#ended} for it.
     */
    void hangup();
}
