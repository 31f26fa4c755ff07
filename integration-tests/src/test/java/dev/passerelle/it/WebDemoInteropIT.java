package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.peers.Browser;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo page and the JS SDK in two real headless Chromiums (Debian packages chromium and
 * chromium-driver) against an in-process gateway with the pass-through media anchor: alice calls
 * bob by name on the page, bob answers on the page, and the two browsers exchange audio directly
 * over loopback ICE.
 */
class WebDemoInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PC = "window.passerelle.currentCall.pc";
    /** Opus sends 50 packets a second: 150 more is three seconds of audio. */
    private static final long GROWTH = 150;

    @RegisterExtension
    final DemoPages pages = new DemoPages();

    @Test
    void aliceCallsBobOnThePageAndAudioFlowsBothWays() {
        Browser alice = loggedIn("alice-token", "alice");
        Browser bob = loggedIn("bob-token", "bob");

        call(alice, bob);
        assertAudioFlows(alice, "alice");
        assertAudioFlows(bob, "bob");

        alice.click("hangup");
        alice.awaitText("state", "ended", WAIT);
        bob.awaitText("state", "ended", WAIT);
        assertTrue(bob.text("log").contains("ended 200 hung up (remote)"), bob.text("log"));
        assertTrue(alice.text("log").contains("ended 200 hung up (local)"), alice.text("log"));
    }

    /**
     * Bob's socket drops during the call and stays away while alice hangs up; the SDK resumes
     * with its lastSeq, the gateway replays the missed call.ended, and bob's page ends the call.
     * Before that, a first drop and resume shows the call and its media survive a reconnect.
     */
    @Test
    void droppedSocketResumesAndGetsTheEventsItMissed() {
        Browser alice = loggedIn("alice-token", "alice");
        Browser bob = loggedIn("bob-token", "bob");
        call(alice, bob);
        assertAudioFlows(bob, "bob");

        long seqBefore = lastSeq(bob);
        bob.script("window.passerelle.socket.close(4000, 'test drop');");
        awaitResumed(bob, 1);
        assertEquals("active", bob.text("state"), "the call outlives the socket");
        assertAudioFlows(bob, "bob after the resume");
        assertEquals(seqBefore, lastSeq(bob), "nothing happened meanwhile: nothing replayed");

        // Keep bob away: every reconnect attempt goes to a closed port until the test lets him back.
        String url = (String) bob.script("return window.passerelle.url;");
        bob.script("window.passerelle.url = 'ws://127.0.0.1:9/ws'; window.passerelle.socket.close(4000, 'test drop');");
        bob.awaitText("connection", s -> s.equals("reconnecting") || s.equals("closed"), WAIT, "a dropped connection");
        alice.click("hangup");
        alice.awaitText("state", "ended", WAIT);
        assertEquals("active", bob.text("state"), "bob cannot know yet");

        bob.script("window.passerelle.url = arguments[0];", url);
        awaitResumed(bob, 2);
        bob.awaitText("state", "ended", WAIT);
        assertTrue(bob.text("log").contains("1 events replayed"), bob.text("log"));
        assertTrue(bob.text("log").contains("ended 200 hung up (remote)"), bob.text("log"));
        assertEquals(seqBefore + 1, lastSeq(bob), "exactly the one missed event");
    }

    /**
     * Alice holds on the page: her SDK re-offers sendonly through call.update, bob's SDK answers
     * the gateway's call.update request with recvonly; resume brings sendrecv and audio back.
     */
    @Test
    void holdAndResumeOnThePageRenegotiateBothBrowsers() {
        Browser alice = loggedIn("alice-token", "alice");
        Browser bob = loggedIn("bob-token", "bob");
        call(alice, bob);
        assertAudioFlows(bob, "bob");

        alice.click("hold");
        alice.awaitText("log", log -> log.contains("on hold"), WAIT, "hold");
        String bobsOffer = (String) bob.script("return " + PC + ".currentRemoteDescription.sdp;");
        assertTrue(bobsOffer.contains("a=sendonly"), "bob received the hold: " + bobsOffer);
        String alicesAnswer = (String) alice.script("return " + PC + ".currentRemoteDescription.sdp;");
        assertTrue(alicesAnswer.contains("a=recvonly"), "bob's SDK answered the hold: " + alicesAnswer);

        alice.click("hold");
        alice.awaitText("log", log -> log.contains("off hold"), WAIT, "resume");
        assertTrue(((String) bob.script("return " + PC + ".currentRemoteDescription.sdp;")).contains("a=sendrecv"));
        assertAudioFlows(alice, "alice after the resume");
        assertAudioFlows(bob, "bob after the resume");
        alice.click("hangup");
        bob.awaitText("state", "ended", WAIT);
    }

    // ------------------------------------------------------------------ helpers

    private Browser loggedIn(String token, String user) {
        Browser browser = pages.open();
        assertEquals("ws://127.0.0.1:" + pages.gateway.gateway().webSocketPort() + "/ws", browser.text("server"),
                "the page defaults to its own host and /ws");
        return DemoPages.logIn(browser, token, user);
    }

    private void call(Browser caller, Browser callee) {
        caller.fill("to", "bob");
        caller.click("call");
        callee.awaitText("state", "ringing", WAIT);
        assertTrue(callee.text("peer").contains("alice"), callee.text("peer"));
        callee.click("answer");
        callee.awaitText("state", "active", WAIT);
        caller.awaitText("state", "active", WAIT);
    }

    /** Both counters of the page's peer connection grow by {@link #GROWTH} packets. */
    private void assertAudioFlows(Browser browser, String who) {
        browser.awaitAudioFlowing(PC, GROWTH, WAIT, who);
    }

    private static long lastSeq(Browser browser) {
        return ((Number) browser.script("return window.passerelle.lastSeq;")).longValue();
    }

    /** Waits for the n-th resume of this page's session. */
    private static void awaitResumed(Browser browser, int n) {
        browser.awaitText("log", log -> log.split("session resumed", -1).length - 1 >= n, WAIT, "resume #" + n);
        browser.awaitText("connection", "open", WAIT);
    }
}
