package dev.passerelle.gateway.signaling;

import java.util.List;

/** The result of each method, as records the codec writes. */
public final class Results {
    private Results() {}

    /** {@code session.login}. */
    public record Login(String sessionId, String resumeToken, Identity identity, List<IceServer> iceServers) {
        public Login {
            iceServers = List.copyOf(iceServers);
        }
    }

    /** The logged-in user as the client sees it. */
    public record Identity(String user, String sipUri, String displayName) {}

    /** One entry of {@code iceServers}, shaped like WebRTC's RTCIceServer. */
    public record IceServer(List<String> urls, String username, String credential) {
        public IceServer {
            urls = List.copyOf(urls);
        }
    }

    /** {@code session.resume}. */
    public record Resume(String sessionId, int replayed) {}

    /** {@code call.invite}. */
    public record Invite(String callId) {}

    /**
     * {@code call.update}: the answer to the client's offer. Also what a client answers to the
     * gateway's {@code call.update} request: its answer to the other side's offer.
     */
    public record Update(String sdp) {}

    /** {@code message.send}: the id its {@code message.status} will name. */
    public record MessageSent(String messageId) {}

    /** The {@code {}} result of methods that return nothing. */
    public record Empty() {
        public static final Empty INSTANCE = new Empty();
    }
}
