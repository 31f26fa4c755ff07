package dev.passerelle.gateway.media;

import dev.passerelle.gateway.sdp.Codec;
import dev.passerelle.gateway.sdp.MediaSection;
import dev.passerelle.gateway.sdp.Sdp;
import java.util.List;

/** Whether an exchange agreed on RFC 4733 telephone-events, read from the parsed SDP model. */
final class TelephoneEvent {

    static final String NAME = "telephone-event";

    private TelephoneEvent() {
    }

    /**
     * Whether {@code answer} keeps {@code telephone-event} in its first accepted audio section, at
     * the clock rate of that section's first voice codec (RFC 4733 §7.1.1: the events are timed
     * on the audio's clock, so a phone sending PCMU expects {@code telephone-event/8000}). The
     * answer holds only formats its offer listed (RFC 3264 §6.1), so it alone tells what both
     * sides agreed on.
     */
    static boolean agreed(Sdp answer) {
        if (answer == null) {
            return false;
        }
        for (MediaSection m : answer.media()) {
            if (!"audio".equals(m.type()) || m.isRejected()) {
                continue;
            }
            List<Codec> codecs = m.codecs();
            Codec voice = codecs.stream().filter(c -> !c.isNamed(NAME)).findFirst().orElse(null);
            return voice != null && codecs.stream()
                    .anyMatch(c -> c.isNamed(NAME) && c.clockRate() == voice.clockRate());
        }
        return false;
    }
}
