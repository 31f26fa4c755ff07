package dev.passerelle.gateway.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random damage to the real offers: whatever comes in, the parser, the typed views and the
 * policy either work or throw {@link SdpException} with a line inside the body; never another
 * exception. What parses writes back to itself.
 */
class SdpMutationTest {

    private static final int ROUNDS = 3000;
    private static final String[] PIECES = {"\0", "\r", "\n", " ", "=", ":", "/", "-", "99999999999999999999", "0", "128",
            "65536", "a=", "m=audio 0 RTP/AVP 0\r\n", "c=IN IP4 0.0.0.0\r\n", "\u00e9", "\u0085", "\ud800", "*", "a=rtpmap:",
            "a=group:BUNDLE 9\r\n", "a=mid:0\r\n", "a=sendonly\r\n"};

    private final SdpParser parser = new SdpParser();

    @ParameterizedTest
    @ValueSource(strings = {"chromium-offer.sdp", "firefox-offer.sdp", "safari-offer.sdp", "baresip-offer.sdp", "ims-offer.sdp"})
    void damagedOffersFailOnlyWithSdpException(String name) {
        String original = Resources.text(name);
        Random random = new Random(name.hashCode());
        int parsed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String damaged = damage(original, random);
            long lines = damaged.chars().filter(c -> c == '\n').count() + 2;
            try {
                Sdp sdp = parser.parse(damaged);
                parsed++;
                assertEquals(sdp, parser.parse(sdp.write()), "round " + round);
                touchEveryView(sdp);
            } catch (SdpException e) {
                assertTrue(e.line() >= 0 && e.line() <= lines, "line " + e.line() + " outside the body in round " + round);
                for (char c : e.getMessage().toCharArray()) {
                    assertTrue(c >= 0x20 && c != 0x7f && !Character.isSurrogate(c), "raw character in: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                fail("round " + round + " threw " + e + " for:\n" + damaged, e);
            }
        }
        assertTrue(parsed > 0, "no damaged offer parsed: the damage is too coarse to test the valid paths");
    }

    private static String damage(String text, Random random) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r\n", -1)));
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            int at = random.nextInt(lines.size());
            String line = lines.get(at);
            int col = line.isEmpty() ? 0 : random.nextInt(line.length());
            switch (random.nextInt(8)) {
                case 0:
                    lines.remove(at);
                    break;
                case 1:
                    lines.add(random.nextInt(lines.size() + 1), line);
                    break;
                case 2:
                    lines.set(at, line.substring(0, col) + PIECES[random.nextInt(PIECES.length)] + line.substring(col));
                    break;
                case 3:
                    lines.set(at, line.isEmpty() ? line : line.substring(0, col) + line.substring(col + 1));
                    break;
                case 4:
                    int other = random.nextInt(lines.size());
                    lines.set(at, lines.get(other));
                    lines.set(other, line);
                    break;
                case 5:
                    lines.set(at, line.replaceFirst("[0-9]+", PIECES[random.nextInt(PIECES.length)]));
                    break;
                default:
                    String[] fields = line.split(" ", -1);
                    fields[random.nextInt(fields.length)] = PIECES[random.nextInt(PIECES.length)];
                    lines.set(at, String.join(" ", fields));
                    break;
            }
            if (lines.isEmpty()) {
                lines.add("");
            }
        }
        return String.join("\r\n", lines);
    }

    private static void touchEveryView(Sdp sdp) {
        sdp.groups();
        sdp.direction();
        for (MediaSection m : sdp.media()) {
            m.codecs().forEach(Codec::parameters);
            m.candidates();
            m.ssrcs();
            m.setup();
            m.iceOptions();
            sdp.fingerprints(m);
            sdp.direction(m);
            sdp.isWebRtc(m);
            sdp.isPlainRtp(m);
        }
        try {
            Sdp filtered = CodecPolicy.defaults().apply(sdp);
            assertEquals(filtered, new SdpParser().parse(filtered.write()));
        } catch (SdpException e) {
            assertTrue(e.reason().startsWith("no audio or video stream left"), e.reason());
        }
        for (Profile p : Profile.values()) {
            try {
                OfferAnswer.assertProfile(sdp, p);
            } catch (SdpException expected) {
                assertTrue(expected.line() == 0);
            }
        }
    }
}
