package dev.passerelle.gateway.sdp;

/**
 * Bounds of what {@link SdpParser} accepts, so a hostile body costs at most a bounded amount of
 * work and memory.
 *
 * @param maxBytes         largest body in UTF-8 bytes
 * @param maxMediaSections most m= sections
 */
public record SdpLimits(int maxBytes, int maxMediaSections) {

    public SdpLimits {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        if (maxMediaSections < 1) {
            throw new IllegalArgumentException("maxMediaSections must be positive: " + maxMediaSections);
        }
    }

    /** 64 KiB and 16 media sections: far above what a browser or a phone sends. */
    public static SdpLimits defaults() {
        return new SdpLimits(64 * 1024, 16);
    }
}
