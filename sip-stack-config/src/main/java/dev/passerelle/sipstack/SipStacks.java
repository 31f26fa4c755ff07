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
     * {@link ConcurrentModificationException}; and it throws {@link NullPointerException} when the
     * stack is stopped before the processor's thread has run at all, since that thread creates the
     * list. Either way that processor has already closed its socket and left the stack's list, so
     * a second {@code stop()} finishes what the first left: the other processors and the stack.
     */
    public static void stop(SipStack stack) {
        try {
            stack.stop();
        } catch (ConcurrentModificationException | NullPointerException e) {
            stack.stop();
        }
    }
}
