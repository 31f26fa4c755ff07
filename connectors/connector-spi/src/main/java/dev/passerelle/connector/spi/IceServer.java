package dev.passerelle.connector.spi;

import java.util.List;
import java.util.Objects;

/**
 * One entry of a login result's {@code iceServers}, in the shape of WebRTC's {@code RTCIceServer}.
 *
 * @param urls {@code stun:}, {@code turn:} or {@code turns:} URLs
 * @param username the TURN user name, or null for servers that need none
 * @param credential the TURN password, or null
 */
public record IceServer(List<String> urls, String username, String credential) {

    public IceServer {
        urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("an ICE server needs at least one URL");
        }
    }

    @Override
    public String toString() {
        return "IceServer[urls=" + urls + ", username=" + username + ", credential=" + (credential == null ? null : "***")
                + "]";
    }
}
