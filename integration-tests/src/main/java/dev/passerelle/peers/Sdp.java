package dev.passerelle.peers;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Session descriptions as real endpoints write them. Each one carries a unique marker (the
 * {@code o=} session id, the media port and, for WebRTC, the ICE ufrag) so that a test can tell
 * whose description reached whom.
 */
public final class Sdp {

    private Sdp() {}

    /** A SIP phone's plain RTP/AVP audio description: PCMU, PCMA and telephone-event. */
    public static String phone(int rtpPort) {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        return "v=0\r\n"
                + "o=phone " + id + " " + id + " IN IP4 127.0.0.1\r\n"
                + "s=-\r\n"
                + "c=IN IP4 127.0.0.1\r\n"
                + "t=0 0\r\n"
                + "m=audio " + rtpPort + " RTP/AVP 0 8 101\r\n"
                + "a=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:8 PCMA/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\n"
                + "a=fmtp:101 0-16\r\n"
                + "a=ptime:20\r\n"
                + "a=sendrecv\r\n";
    }

    /** An offer shaped like Chromium's: BUNDLE, rtcp-mux, DTLS fingerprint, ICE, opus and G.711. */
    public static String browserOffer(String iceUfrag) {
        return browser(iceUfrag, "actpass");
    }

    /** A browser's answer: the same shape with {@code a=setup:active}. */
    public static String browserAnswer(String iceUfrag) {
        return browser(iceUfrag, "active");
    }

    /** A fresh ICE ufrag, 16 characters as browsers make them. */
    public static String newUfrag() {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            b.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static String browser(String iceUfrag, String setup) {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        int port = ThreadLocalRandom.current().nextInt(40_000, 60_000);
        return "v=0\r\n"
                + "o=- " + id + " 2 IN IP4 127.0.0.1\r\n"
                + "s=-\r\n"
                + "t=0 0\r\n"
                + "a=group:BUNDLE 0\r\n"
                + "a=extmap-allow-mixed\r\n"
                + "a=msid-semantic: WMS stream\r\n"
                + "m=audio " + port + " UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
                + "c=IN IP4 127.0.0.1\r\n"
                + "a=rtcp:9 IN IP4 0.0.0.0\r\n"
                + "a=candidate:1 1 udp 2113937151 127.0.0.1 " + port + " typ host generation 0\r\n"
                + "a=ice-ufrag:" + iceUfrag + "\r\n"
                + "a=ice-pwd:" + iceUfrag + iceUfrag.substring(0, 8) + "\r\n"
                + "a=ice-options:trickle\r\n"
                + "a=fingerprint:sha-256 3B:4A:8C:01:22:9F:D0:7E:55:6A:13:B2:90:C4:AA:5D:"
                + "71:0E:68:3F:92:B1:4C:2D:8E:07:F6:19:D3:60:AB:05\r\n"
                + "a=setup:" + setup + "\r\n"
                + "a=mid:0\r\n"
                + "a=sendrecv\r\n"
                + "a=msid:stream track\r\n"
                + "a=rtcp-mux\r\n"
                + "a=rtpmap:111 opus/48000/2\r\n"
                + "a=rtcp-fb:111 transport-cc\r\n"
                + "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
                + "a=rtpmap:63 red/48000/2\r\n"
                + "a=fmtp:63 111/111\r\n"
                + "a=rtpmap:9 G722/8000\r\n"
                + "a=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:8 PCMA/8000\r\n"
                + "a=rtpmap:13 CN/8000\r\n"
                + "a=rtpmap:110 telephone-event/48000\r\n"
                + "a=rtpmap:126 telephone-event/8000\r\n"
                + "a=ssrc:1001 cname:passerelle-it\r\n";
    }
}
