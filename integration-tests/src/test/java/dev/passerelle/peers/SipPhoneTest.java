package dev.passerelle.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The phone is the yardstick of every SIP assertion in the ITs, so it is checked against itself
 * first: one phone calls another, with no gateway in between.
 */
class SipPhoneTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private SipPhone caller;
    private SipPhone callee;

    @BeforeEach
    void phones() {
        caller = SipPhone.start();
        callee = SipPhone.start();
    }

    @AfterEach
    void stop() {
        caller.close();
        callee.close();
    }

    @Test
    void answeredCallIsAcknowledgedAndHungUp() {
        String callId = caller.call(callee.uri(), "127.0.0.1", callee.port(), caller.sdp());

        PhoneEvent.Request invite = callee.awaitCall(WAIT);
        assertEquals(callId, invite.callId());
        assertTrue(invite.body().contains("m=audio " + caller.rtpPort() + " RTP/AVP"), invite.body());
        PhoneEvent.Response ok = caller.awaitResponse(callId, 200, WAIT);
        assertTrue(ok.body().contains("m=audio " + callee.rtpPort() + " "), ok.body());
        callee.awaitRequest("ACK", callId, WAIT);

        caller.bye(callId);
        callee.awaitRequest("BYE", callId, WAIT);
        assertEquals("BYE", caller.awaitResponse(callId, 200, WAIT).method());
    }

    @Test
    void busyIsAcknowledged() {
        callee.behave(new SipPhone.Behaviour.Reject(486));
        String callId = caller.call(callee.uri(), "127.0.0.1", callee.port(), caller.sdp());

        caller.awaitResponse(callId, 486, WAIT);
        // Seen only because the phone asks JAIN-SIP to pass the ACK of a non-2xx up.
        callee.awaitRequest("ACK", callId, WAIT);
    }

    @Test
    void cancelWhileRingingEndsWith487() {
        callee.behave(new SipPhone.Behaviour.RingForever());
        String callId = caller.call(callee.uri(), "127.0.0.1", callee.port(), caller.sdp());
        caller.awaitResponse(callId, 180, WAIT);

        caller.cancel(callId);
        callee.awaitRequest("CANCEL", callId, WAIT);
        caller.awaitResponse(callId, 487, WAIT);
        callee.awaitRequest("ACK", callId, WAIT);
    }

    @Test
    void ringThenAnswerOverTcp() {
        try (SipPhone tcpCaller = SipPhone.start(SipPhone.Transport.TCP);
             SipPhone tcpCallee = SipPhone.start(SipPhone.Transport.TCP)) {
            tcpCallee.behave(new SipPhone.Behaviour.RingThenAnswer(Duration.ofMillis(200)));
            String callId = tcpCaller.call(tcpCallee.uri(), "127.0.0.1", tcpCallee.port(), tcpCaller.sdp());
            tcpCaller.awaitResponse(callId, 180, WAIT);
            tcpCaller.awaitResponse(callId, 200, WAIT);
            tcpCallee.awaitRequest("ACK", callId, WAIT);
            tcpCallee.bye(callId);
            tcpCaller.awaitRequest("BYE", callId, WAIT);
        }
    }
}
