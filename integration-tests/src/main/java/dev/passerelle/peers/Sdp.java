package dev.passerelle.peers;

import dev.passerelle.gateway.sdp.Codec;
import dev.passerelle.gateway.sdp.MediaSection;
import dev.passerelle.gateway.sdp.SdpParser;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Session descriptions as real endpoints write them. Each one carries a unique marker (the
 * {@code o=} session id, the media port and, for WebRTC, the ICE ufrag) so that a test can tell
 * whose description reached whom.
 */
public final class Sdp {

    private Sdp() {}

    /** A SIP phone's plain RTP/AVP audio description: PCMU, PCMA and telephone-event. */
    /** {@code sdp} with its o= version one higher: the same party's next offer (RFC 3264 §8). */
    public static String nextVersion(String sdp) {
        StringBuilder out = new StringBuilder();
        for (String line : sdp.split("\r\n")) {
            if (line.startsWith("o=")) {
                String[] f = line.split(" ");
                f[2] = String.valueOf(Long.parseLong(f[2]) + 1);
                line = String.join(" ", f);
            }
            out.append(line).append("\r\n");
        }
        return out.toString();
    }

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
                + "a=setup:actpass\r\n"
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


    /**
     * The answer a well-behaved endpoint gives to {@code offer} (RFC 3264 §6): every section in
     * the offer's order and proto, a rejected one kept at port 0, an accepted one with the
     * offer's first voice codec and, when offered at its clock rate, telephone-event. A WebRTC
     * offer gets ICE (ufrag {@code iceUfrag}), a fingerprint, {@code setup:active}, its mid and
     * rtcp-mux back; a plain one a plain answer. {@code port} is the marker a test looks for.
     */
    public static String answer(String offer, int port, String iceUfrag) {
        dev.passerelle.gateway.sdp.Sdp o = new SdpParser().parse(offer);
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        StringBuilder b = new StringBuilder("v=0\r\n")
                .append("o=answerer ").append(id).append(' ').append(id).append(" IN IP4 127.0.0.1\r\n")
                .append("s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n");
        for (MediaSection m : o.media()) {
            Codec voice = m.codecs().stream().filter(c -> !c.isNamed("telephone-event")).findFirst().orElse(null);
            if (m.isRejected() || voice == null) {
                b.append("m=").append(m.type()).append(" 0 ").append(m.proto()).append(' ')
                        .append(m.formats().get(0)).append("\r\n");
                continue;
            }
            Codec dtmf = m.codecs().stream()
                    .filter(c -> c.isNamed("telephone-event") && c.clockRate() == voice.clockRate())
                    .findFirst().orElse(null);
            b.append("m=").append(m.type()).append(' ').append(port).append(' ').append(m.proto()).append(' ')
                    .append(voice.payloadType()).append(dtmf == null ? "" : " " + dtmf.payloadType()).append("\r\n");
            if (o.isWebRtc(m)) {
                b.append("a=candidate:1 1 udp 2113937151 127.0.0.1 ").append(port).append(" typ host\r\n")
                        .append("a=ice-ufrag:").append(iceUfrag).append("\r\n")
                        .append("a=ice-pwd:").append(iceUfrag).append(iceUfrag, 0, 8).append("\r\n")
                        .append("a=fingerprint:sha-256 3B:4A:8C:01:22:9F:D0:7E:55:6A:13:B2:90:C4:AA:5D:")
                        .append("71:0E:68:3F:92:B1:4C:2D:8E:07:F6:19:D3:60:AB:05\r\n")
                        .append("a=setup:active\r\n");
                m.mid().ifPresent(mid -> b.append("a=mid:").append(mid).append("\r\n"));
                b.append("a=rtcp-mux\r\n");
            }
            b.append("a=rtpmap:").append(voice.payloadType()).append(' ').append(voice.name()).append('/')
                    .append(voice.clockRate()).append(voice.channels() > 1 ? "/" + voice.channels() : "").append("\r\n");
            if (dtmf != null) {
                b.append("a=rtpmap:").append(dtmf.payloadType()).append(" telephone-event/").append(dtmf.clockRate())
                        .append("\r\n");
            }
            b.append("a=").append(answering(o.direction(m).attribute())).append("\r\n");
        }
        return b.toString();
    }

    /** The direction that answers an offered one, as RFC 3264 §6.1 asks of an endpoint that can send and receive. */
    private static String answering(String offered) {
        return switch (offered) {
            case "sendonly" -> "recvonly";
            case "recvonly" -> "sendonly";
            case "inactive" -> "inactive";
            default -> "sendrecv";
        };
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
}
