package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.peers.Browser;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo page's buddy list and the SDK's presence calls in two real headless Chromiums (Debian
 * packages chromium and chromium-driver): alice watches bob, bob publishes from his page, and
 * alice's list follows, down to offline when bob logs out.
 */
class PresenceDemoInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final DemoPages pages = new DemoPages();

    @Test
    void aliceWatchesBobOnThePage() {
        Browser alice = pages.loggedIn("alice-token", "alice");
        alice.fill("buddy", "bob");
        alice.click("watch");
        awaitBuddy(alice, "bob", "offline", "");

        Browser bob = pages.loggedIn("bob-token", "bob");
        awaitBuddy(alice, "bob", "available", "");
        bob.script("document.getElementById('my-status').value = 'busy';");
        bob.fill("my-note", "in a meeting");
        bob.click("publish");
        awaitBuddy(alice, "bob", "busy", "in a meeting");
        assertTrue(alice.text("log").contains("bob is busy (in a meeting)"), alice.text("log"));

        bob.click("logout");
        awaitBuddy(alice, "bob", "offline", "");

        // A name that is nobody: the SDK rejects with 404 and the page drops the entry.
        alice.fill("buddy", "nobody");
        alice.click("watch");
        alice.awaitText("log", log -> log.contains("watch nobody failed: 404"), WAIT, "the 404");
        assertEquals(0L, alice.script("return document.querySelectorAll('#buddies li[data-user=\"nobody\"]').length;"));
    }

    private static void awaitBuddy(Browser browser, String user, String status, String note) {
        browser.awaitText("presence-" + user, status, WAIT);
        assertEquals(note, browser.text("presence-note-" + user));
    }
}
