package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.peers.Baresip;
import dev.passerelle.peers.Browser;
import dev.passerelle.peers.Rtpengine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.support.ui.FluentWait;

/**
 * The test that matters: a real headless Chromium on the demo page and a real baresip (plain
 * RTP/AVP, G.711, a 440 Hz sine as microphone) hear each other through Passerelle and a real
 * rtpengine, which gives the browser ICE, DTLS-SRTP and rtcp-mux and the phone plain RTP. Both
 * directions of call set-up, hang-up from each side, and the media released in rtpengine at the
 * end of every call.
 */
class BrowserCallInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PC = "window.passerelle.currentCall.pc";
    /** G.711 in 20 ms packets is 50 a second: 150 more is three seconds of audio. */
    private static final long GROWTH = 150;
    /** Decoded audio baresip records: a second of it is far more than this. */
    private static final long SECOND_OF_AUDIO = 16_000;

    @TempDir
    Path dir;

    private Rtpengine rtpengine;
    private Baresip baresip;
    private GatewayHarness gateway;
    private Browser browser;

    @BeforeEach
    void start() throws IOException, InterruptedException {
        rtpengine = Rtpengine.start(dir);
        baresip = Baresip.start(dir.resolve("baresip"));
        gateway = GatewayHarness.withRtpengine(rtpengine.ngUri());
        browser = Browser.start();
        browser.open("http://127.0.0.1:" + gateway.gateway().webSocketPort() + "/");
        browser.fill("token", "alice-token");
        browser.click("login");
        browser.awaitText("identity", s -> s.startsWith("alice "), WAIT, "login as alice");
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (baresip != null) {
            baresip.close();
        }
        if (rtpengine != null) {
            rtpengine.close();
        }
    }

    @Test
    void browserCallsBaresipAndHangsUp() {
        String callId = browserCallsBaresip();
        assertAudioFlowsBothWays();
        browserHangsUp(callId);
    }

    @Test
    void browserCallsBaresipAndBaresipHangsUp() {
        String callId = browserCallsBaresip();
        assertAudioFlowsBothWays();
        baresipHangsUp(callId);
    }

    @Test
    void baresipCallsTheBrowserWhichAnswersOnThePageAndHangsUp() {
        String callId = baresipCallsTheBrowser();
        assertAudioFlowsBothWays();
        browserHangsUp(callId);
    }

    @Test
    void baresipCallsTheBrowserAndHangsUp() {
        String callId = baresipCallsTheBrowser();
        assertAudioFlowsBothWays();
        baresipHangsUp(callId);
    }

    // ------------------------------------------------------------------ helpers

    /** Dials baresip from the page; returns the call's id once both ends say it is established. */
    private String browserCallsBaresip() {
        browser.fill("to", baresip.sipUri());
        browser.click("call");
        browser.awaitText("state", "active", WAIT);
        baresip.await("CALL_ESTABLISHED", WAIT);
        return currentCallId();
    }

    /** baresip dials alice; she answers on the page. */
    private String baresipCallsTheBrowser() {
        baresip.dial("sip:alice@127.0.0.1:" + gateway.sipPort());
        browser.awaitText("state", "ringing", WAIT);
        browser.click("answer");
        browser.awaitText("state", "active", WAIT);
        baresip.await("CALL_ESTABLISHED", WAIT);
        return currentCallId();
    }

    private void browserHangsUp(String callId) {
        browser.click("hangup");
        browser.awaitText("state", "ended", WAIT);
        baresip.await("CALL_CLOSED", WAIT);
        assertReleased(callId);
    }

    private void baresipHangsUp(String callId) {
        baresip.hangup();
        browser.awaitText("state", "ended", WAIT);
        assertTrue(browser.text("log").contains("(remote)"), browser.text("log"));
        assertReleased(callId);
    }

    private String currentCallId() {
        return (String) browser.script("return window.passerelle.currentCall.id;");
    }

    /**
     * The browser's RTP counters grow both ways for seconds, and baresip decodes audio: what the
     * browser hears came from baresip through rtpengine, and the reverse.
     */
    private void assertAudioFlowsBothWays() {
        long before = baresip.receivedAudioBytes();
        try {
            browser.awaitAudioFlowing(PC, GROWTH, WAIT, "alice");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nrtpengine:\n" + rtpengine.log(), e);
        }
        baresip.awaitReceivedAudio(before + SECOND_OF_AUDIO, WAIT);
    }

    /**
     * rtpengine soon no longer knows the call: the gateway deleted it when the call ended (the
     * page may show "ended" before the gateway has finished, hence the wait).
     */
    private void assertReleased(String callId) {
        String[] reply = {null};
        try {
            new FluentWait<>(rtpengine).withTimeout(WAIT).pollingEvery(Duration.ofMillis(100)).until(r -> {
                try {
                    reply[0] = r.query(callId);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return reply[0] != null && reply[0].contains("error");
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("rtpengine still holds call " + callId + ": " + reply[0], e);
        }
    }
}
