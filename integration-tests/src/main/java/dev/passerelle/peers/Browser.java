package dev.passerelle.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Debian Chromium driven through Debian's chromedriver: opens a page, fills and
 * clicks elements by id, reads them, runs JavaScript (also asynchronous, such as {@code
 * getStats()}), and waits on conditions with a timeout.
 *
 * <p>Both binaries are given to Selenium explicitly, so Selenium Manager never runs and nothing is
 * downloaded. Media come from Chromium's fake devices (a beep on the microphone), permission
 * prompts are granted, and loopback ICE candidates are allowed, so that two browsers on one
 * machine reach each other on 127.0.0.1.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(10);

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** A new headless Chromium with its own temporary profile. */
    public static Browser start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("chromium not found: install the Debian packages chromium and chromium-driver"
                    + " (" + CHROMIUM + ", " + CHROMEDRIVER + ")");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                // Without it Chromium gathers no 127.0.0.1 candidate and two local browsers never connect.
                "--allow-loopback-in-peer-connection",
                // The page's <audio autoplay> plays the remote party without a click.
                "--autoplay-policy=no-user-gesture-required",
                "--window-size=1024,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(SCRIPT_TIMEOUT);
        return new Browser(driver);
    }

    public void open(String url) {
        driver.get(url);
    }

    public void click(String id) {
        element(id).click();
    }

    /** Replaces the value of the input {@code id} with {@code text}. */
    public void fill(String id, String text) {
        WebElement input = element(id);
        input.clear();
        input.sendKeys(text);
    }

    /** The value of a form control (input, output, meter), else the text content of {@code id}. */
    public String text(String id) {
        Object value = script("const e = document.getElementById(arguments[0]);"
                + " return e === null ? null : ('value' in e ? String(e.value) : e.textContent);", id);
        if (value == null) {
            throw new AssertionError("no element #" + id + " on " + driver.getCurrentUrl());
        }
        return value.toString();
    }

    public boolean enabled(String id) {
        return element(id).isEnabled();
    }

    /** Waits until {@link #text} of {@code id} matches; returns it. */
    public String awaitText(String id, Predicate<String> match, Duration timeout, String what) {
        try {
            return new WebDriverWait(driver, timeout, POLL).until(d -> {
                String text = text(id);
                return match.test(text) ? text : null;
            });
        } catch (TimeoutException e) {
            throw new AssertionError("#" + id + ": no " + what + " within " + timeout.toMillis() + " ms; it shows '"
                    + text(id) + "'\n" + diagnostics(), e);
        }
    }

    public String awaitText(String id, String expected, Duration timeout) {
        return awaitText(id, expected::equals, timeout, "'" + expected + "'");
    }

    /** Runs {@code js} as a function body; {@code arguments} holds {@code args}. */
    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /**
     * Runs {@code js} as the body of an async function (it may {@code await}) and returns what it
     * returns: numbers come back as Long or Double, objects as Maps, arrays as Lists.
     */
    public Object await(String js, Object... args) {
        String wrapped = "const done = arguments[arguments.length - 1];"
                + " (async function () { " + js + " }).apply(null, Array.from(arguments).slice(0, -1))"
                + ".then(done, (e) => done({__error: String(e && e.stack || e)}));";
        Object result = ((JavascriptExecutor) driver).executeAsyncScript(wrapped, args);
        if (result instanceof Map<?, ?> map && map.containsKey("__error")) {
            throw new AssertionError("script failed: " + map.get("__error") + "\n" + diagnostics());
        }
        return result;
    }

    /**
     * The audio RTP counters of the RTCPeerConnection that {@code pcExpression} evaluates to (e.g.
     * {@code window.passerelle.currentCall.pc} on the demo page), from its {@code getStats()}.
     */
    public RtpStats audioStats(String pcExpression) {
        Object result = await("const pc = " + pcExpression + ";"
                + " if (!pc) return {received: -1, sent: -1};"
                + " const stats = await pc.getStats(); let received = 0, sent = 0;"
                + " stats.forEach((s) => {"
                + "   if (s.type === 'inbound-rtp' && s.kind === 'audio') received += s.packetsReceived || 0;"
                + "   if (s.type === 'outbound-rtp' && s.kind === 'audio') sent += s.packetsSent || 0;"
                + " });"
                + " return {received, sent};");
        Map<?, ?> map = (Map<?, ?>) result;
        return new RtpStats(((Number) map.get("received")).longValue(), ((Number) map.get("sent")).longValue());
    }

    /** Audio packets received ({@code inbound-rtp}) and sent ({@code outbound-rtp}); -1 without a peer connection. */
    public record RtpStats(long packetsReceived, long packetsSent) {}

    /**
     * Waits until audio flows both ways on the peer connection {@code pcExpression}: first
     * packets each way, then {@code growth} more each way, each within {@code timeout}. On
     * failure the error names {@code who}, the last counters, the connection's ICE and DTLS
     * states and both descriptions.
     */
    public void awaitAudioFlowing(String pcExpression, long growth, Duration timeout, String who) {
        RtpStats first = awaitStats(pcExpression, s -> s.packetsReceived() > 0 && s.packetsSent() > 0, timeout,
                who + ": first audio packets both ways");
        awaitStats(pcExpression, s -> s.packetsReceived() >= first.packetsReceived() + growth
                && s.packetsSent() >= first.packetsSent() + growth, timeout,
                who + ": " + growth + " more packets both ways after " + first);
    }

    private RtpStats awaitStats(String pcExpression, Predicate<RtpStats> match, Duration timeout, String what) {
        RtpStats[] last = {null};
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(250)).until(d -> {
                last[0] = audioStats(pcExpression);
                return match.test(last[0]) ? last[0] : null;
            });
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": not within " + timeout.toMillis() + " ms; last " + last[0] + "\n"
                    + diagnostics() + "\n" + script("""
                            const pc = %s;
                            return pc ? 'ice ' + pc.iceConnectionState + ', connection ' + pc.connectionState
                                + '\\nlocal:\\n' + pc.localDescription.sdp + '\\nremote:\\n' + pc.remoteDescription.sdp
                                : 'no peer connection';
                            """.formatted(pcExpression)), e);
        }
    }

    /** The page's URL, its console so far and the demo page's log, for failure messages. */
    public String diagnostics() {
        StringBuilder out = new StringBuilder("page ").append(driver.getCurrentUrl()).append('\n');
        try {
            List<LogEntry> console = driver.manage().logs().get(LogType.BROWSER).getAll();
            console.forEach(e -> out.append("console ").append(e.getLevel()).append(' ').append(e.getMessage()).append('\n'));
        } catch (RuntimeException e) {
            out.append("console unavailable: ").append(e.getMessage()).append('\n');
        }
        Object log = script("const l = document.getElementById('log'); return l === null ? '' : l.innerText;");
        out.append("page log:\n").append(log);
        return out.toString();
    }

    private WebElement element(String id) {
        return driver.findElement(By.id(id));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
