package dev.passerelle.it;

import dev.passerelle.peers.Browser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A gateway on its embedded defaults for each test, and the headless Chromiums (Debian packages
 * chromium, chromium-driver) the test opens on its demo page; all closed after the test
 * ({@code @RegisterExtension}).
 */
final class DemoPages implements BeforeEachCallback, AfterEachCallback {
    private static final Duration WAIT = Duration.ofSeconds(20);

    GatewayHarness gateway;
    private final List<Browser> browsers = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) {
        gateway = GatewayHarness.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        browsers.forEach(Browser::close);
        browsers.clear();
        if (gateway != null) {
            gateway.close();
        }
    }

    /** A new Chromium on the demo page at {@code /}. */
    Browser open() {
        Browser browser = Browser.start();
        browsers.add(browser);
        browser.open("http://127.0.0.1:" + gateway.gateway().webSocketPort() + "/");
        return browser;
    }

    /** {@code browser} logs in on the page with {@code token}, whose identity is {@code user}. */
    static Browser logIn(Browser browser, String token, String user) {
        browser.fill("token", token);
        browser.click("login");
        browser.awaitText("identity", s -> s.startsWith(user + " "), WAIT, "login as " + user);
        return browser;
    }

    /** A new Chromium on the demo page, logged in. */
    Browser loggedIn(String token, String user) {
        return logIn(open(), token, user);
    }
}
