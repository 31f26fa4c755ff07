package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.passerelle.peers.Browser;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo page's chat box and the SDK's sendData in two real headless Chromiums (Debian packages
 * chromium and chromium-driver): alice writes to bob on the page, bob's page shows it and alice's
 * shows it delivered; data goes through the SDK. Only with {@code -Pinterop}.
 */
class WebChatInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final DemoPages pages = new DemoPages();

    @Test
    void aliceChatsWithBobOnThePageAndSendsDataThroughTheSdk() {
        Browser alice = pages.loggedIn("alice-token", "alice");
        Browser bob = pages.loggedIn("bob-token", "bob");

        alice.fill("chat-to", "bob");
        alice.fill("chat-body", "hello bob");
        alice.click("chat-send");
        bob.awaitText("chat", s -> s.contains("sip:alice@localhost: hello bob"), WAIT, "alice's message");
        alice.awaitText("chat", s -> s.contains("me → bob: hello bob delivered (200)"), WAIT, "delivered");

        alice.fill("chat-to", "carol");
        alice.fill("chat-body", "anyone?");
        alice.click("chat-send");
        alice.awaitText("chat", s -> s.contains("me → carol: anyone? failed (480)"), WAIT, "failed 480");

        alice.await("await window.passerelle.sendData('bob', {cursor: [1, 2]}); return true;");
        bob.awaitText("log", s -> s.contains("data from sip:alice@localhost: {\"cursor\":[1,2]}"), WAIT, "the data");
        assertEquals(480L, alice.await("try { await window.passerelle.sendData('carol', 1); return 0; }"
                + " catch (e) { return e.code; }"));
    }
}
