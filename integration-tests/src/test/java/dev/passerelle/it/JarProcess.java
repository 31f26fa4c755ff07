package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.peers.EventLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real {@code passerelle.jar} as an operator runs it: its own JVM, a config file, its output. */
final class JarProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("passerelle ready ws=(\\d+) sip=(\\d+)");

    private final Process process;
    private final EventLog<String> lines = new EventLog<>();
    private final Thread reader;

    private JarProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::pump, "passerelle-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java -jar passerelle.jar --config <file with yaml>}. */
    static JarProcess start(String yaml) {
        Path jar = Paths.get(System.getProperty("passerelle.jar", "../gateway-core/target/passerelle.jar"));
        assertTrue(Files.isRegularFile(jar), "no runnable jar at " + jar.toAbsolutePath() + " (mvn package builds it)");
        try {
            Path config = Files.createTempFile("passerelle-it", ".yaml");
            config.toFile().deleteOnExit();
            Files.writeString(config, yaml);
            Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder builder = new ProcessBuilder(java.toString(), "-jar", jar.toAbsolutePath().toString(),
                    "--config", config.toString()).redirectErrorStream(true);
            // The process must read only the file: a PASSERELLE_* variable of the machine would change it.
            builder.environment().keySet().removeIf(k -> k.startsWith("PASSERELLE_"));
            return new JarProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                // Echoed so that a failing test's report shows what the gateway said.
                System.out.println("[passerelle] " + line);
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("(output ended: " + e + ")");
        }
    }

    /** The two ports of the ready line: {@code [ws, sip]}. */
    int[] awaitReady(Duration timeout) {
        String line = lines.await(l -> READY.matcher(l).find(), timeout, "ready line");
        Matcher m = READY.matcher(line);
        assertTrue(m.find());
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** Waits for the process to end and returns its exit code; fails when it does not end in time. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the gateway did not exit within " + timeout.toSeconds() + " s; output: " + output());
        }
        // The exit is seen before the reader drains the pipe; the pipe's end follows at once.
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return process.exitValue();
    }

    /** SIGTERM, as an orchestrator stops a container. */
    void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL, as {@code kill -9}: no drain, no goodbye to anyone; returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    List<String> output() {
        return lines.all();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
