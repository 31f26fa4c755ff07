package dev.passerelle.sipstack;

import java.util.ConcurrentModificationException;
import javax.sip.SipStack;

/** What every owner of a JAIN-SIP stack does the same way. */
public final class SipStacks {

    private SipStacks() {
    }

    /**
     * Stops the stack. In RI 1.3.0-91 {@code UDPMessageProcessor.stop()} iterates its channel list
     * while channel threads remove themselves from it, and sometimes throws
     * {@link ConcurrentModificationException}; a second {@code stop()} finishes what the first left.
     */
    public static void stop(SipStack stack) {
        try {
            stack.stop();
        } catch (ConcurrentModificationException e) {
            stack.stop();
        }
    }
}
