package dev.passerelle.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * baresip (Debian package {@code baresip}) as a SIP phone on 127.0.0.1, with its own config
 * folder: it auto-answers every call (account {@code answermode=auto}, no registration), sends a
 * 440 Hz sine in G.711, records what it receives (module sndfile), and is driven over its
 * {@code ctrl_tcp} socket: commands ({@link #dial}, {@link #hangup}) and an event stream
 * ({@code CALL_INCOMING}, {@code CALL_ESTABLISHED}, {@code CALL_CLOSED} …) that tests wait on.
 *
 * <p>Whether RTP arrived: sndfile writes every decoded received frame to {@code
 * rec/dump-*-dec.wav}; the file holds only its 44-byte header until a packet is decoded, so
 * {@link #receivedAudioBytes()} above 0 means baresip received and decoded audio.
 */
public final class Baresip implements AutoCloseable {

    /** A baresip event from ctrl_tcp; {@code json} is the whole message. */
    public record Event(String type, String direction, String peerUri, String callId, String param, String json) {
        @Override
        public String toString() {
            return type + (param == null || param.isEmpty() ? "" : " (" + param + ")");
        }
    }

    private static final Duration START_WAIT = Duration.ofSeconds(10);
    private static final Duration COMMAND_WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final int WAV_HEADER_BYTES = 44;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Path dir;
    private final int sipPort;
    private final Process process;
    private final Socket control;
    private final OutputStream commands;
    private final EventLog<Event> events = new EventLog<>();
    private final Map<String, CompletableFuture<JsonNode>> responses = new ConcurrentHashMap<>();
    private final AtomicInteger nextToken = new AtomicInteger();
    private final Thread reader;

    private Baresip(Path dir, int sipPort, Process process, Socket control) throws IOException {
        this.dir = dir;
        this.sipPort = sipPort;
        this.process = process;
        this.control = control;
        this.commands = control.getOutputStream();
        this.reader = new Thread(this::readControl, "baresip-ctrl-" + sipPort);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Writes a config into {@code dir} (an empty folder the caller owns, e.g. a JUnit temp dir),
     * starts {@code baresip -f dir} and connects to its control socket.
     */
    public static Baresip start(Path dir) {
        return start(dir, false);
    }

    /**
     * The same, with baresip's console ({@code stdio} module, on a pipe that stays open) in its
     * output: what it shows the user, e.g. a received chat message as {@code <from>: "<body>"},
     * which {@link #log()} then holds.
     */
    public static Baresip startWithConsole(Path dir) {
        return start(dir, true);
    }

    private static Baresip start(Path dir, boolean console) {
        Path binary = findOnPath("baresip");
        try {
            int sipPort = freeSipPortPair();
            int controlPort = freeTcpPort();
            Files.createDirectories(dir.resolve("rec"));
            Files.writeString(dir.resolve("config"), config(dir, sipPort, controlPort)
                    // stdio needs a stdin it can poll: /dev/null is refused by epoll, a pipe is not.
                    + (console ? "module stdio.so\n" : ""));
            // One account, no REGISTER (regint=0), answering every call at once.
            Files.writeString(dir.resolve("accounts"),
                    "<sip:baresip@127.0.0.1:" + sipPort + ">;regint=0;answermode=auto\n");
            Process process = new ProcessBuilder(binary.toString(), "-f", dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("baresip-" + INSTANCES.incrementAndGet() + ".log").toFile())
                    .redirectInput(console ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            return new Baresip(dir, sipPort, process, connect(process, controlPort, dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start baresip in " + dir, e);
        }
    }

    private static String config(Path dir, int sipPort, int controlPort) {
        return """
                module_path /usr/lib/baresip/modules
                sip_listen 127.0.0.1:%d
                net_interface 127.0.0.1
                audio_source ausine,440
                audio_player aubridge,sink
                audio_alert aubridge,sink
                ausrc_srate 48000
                auplay_srate 48000
                ausrc_channels 2
                auplay_channels 2
                module g711.so
                module ausine.so
                module aubridge.so
                module sndfile.so
                snd_path %s
                module_app account.so
                module_app menu.so
                module_app ctrl_tcp.so
                ctrl_tcp_listen 127.0.0.1:%d
                """.formatted(sipPort, dir.resolve("rec"), controlPort);
    }

    /** {@code sip:baresip@127.0.0.1:<port>}: call it there. */
    public String sipUri() {
        return "sip:baresip@127.0.0.1:" + sipPort;
    }

    /** The UDP and TCP SIP port; baresip also binds SIP over TLS on the next one. */
    public int sipPort() {
        return sipPort;
    }

    /** Places a call; the events say how it goes. */
    public void dial(String uri) {
        command("dial", uri);
    }

    /** Hangs up the current call. */
    public void hangup() {
        command("hangup", null);
    }

    /** Any command of baresip's menu (e.g. {@code callstat}); returns its text output. */
    public String command(String command, String params) {
        String token = "t" + nextToken.incrementAndGet();
        CompletableFuture<JsonNode> response = new CompletableFuture<>();
        responses.put(token, response);
        var message = JSON.createObjectNode().put("command", command).put("token", token);
        if (params != null) {
            message.put("params", params);
        }
        byte[] body = message.toString().getBytes(StandardCharsets.UTF_8);
        try {
            synchronized (commands) {
                // Netstring framing of ctrl_tcp: "<length>:<bytes>,".
                commands.write((body.length + ":").getBytes(StandardCharsets.US_ASCII));
                commands.write(body);
                commands.write(',');
                commands.flush();
            }
            JsonNode answer = response.get(COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (!answer.path("ok").asBoolean()) {
                throw new IllegalStateException("baresip refused '" + command + "': " + answer + "\n" + log());
            }
            return answer.path("data").asText("");
        } catch (IOException e) {
            throw new UncheckedIOException("baresip control socket failed", e);
        } catch (TimeoutException e) {
            throw new AssertionError("baresip did not answer '" + command + "' within " + COMMAND_WAIT.toMillis()
                    + " ms\n" + log(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("baresip control socket closed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            responses.remove(token);
        }
    }

    /** Waits for the next event of this type that no earlier wait took. */
    public Event await(String type, Duration timeout) {
        return events.poll(e -> e.type().equals(type), timeout).orElseThrow(() -> new AssertionError(
                "baresip: no " + type + " within " + timeout.toMillis() + " ms; events: " + events.all() + "\n" + log()));
    }

    public List<Event> events() {
        return events.all();
    }

    /** Bytes of received, decoded audio recorded so far, over every call. */
    public long receivedAudioBytes() {
        try (Stream<Path> files = Files.list(dir.resolve("rec"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-dec.wav"))
                    .mapToLong(f -> Math.max(0, f.toFile().length() - WAV_HEADER_BYTES))
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@link #receivedAudioBytes()} until it exceeds {@code bytes}; returns it. */
    public long awaitReceivedAudio(long bytes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long received = receivedAudioBytes();
        while (received <= bytes) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("baresip received " + received + " bytes of audio, not more than " + bytes
                        + " within " + timeout.toMillis() + " ms; events: " + events.all() + "\n" + log());
            }
            awaitExitOrPoll(process);
            received = receivedAudioBytes();
        }
        return received;
    }

    /** baresip's console output so far. */
    public String log() {
        try (Stream<Path> files = Files.list(dir)) {
            StringBuilder out = new StringBuilder();
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                out.append("== ").append(f.getFileName()).append('\n')
                        .append(text.length() > 6000 ? text.substring(text.length() - 6000) : text);
            }
            return out.toString();
        } catch (IOException e) {
            return "log unavailable: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        try {
            control.close();
        } catch (IOException e) {
            // The process goes away below whatever the socket did.
        }
        Processes.stop(process);
    }

    @Override
    public String toString() {
        return "baresip " + sipUri();
    }

    // ---------------------------------------------------------------- control socket

    private void readControl() {
        try (InputStream in = control.getInputStream()) {
            while (true) {
                byte[] frame = readNetstring(in);
                if (frame == null) {
                    break;
                }
                JsonNode message = JSON.readTree(frame);
                if (message.path("event").asBoolean()) {
                    events.add(new Event(message.path("type").asText(), message.path("direction").asText(),
                            message.path("peeruri").asText(), message.path("id").asText(),
                            message.path("param").asText(), message.toString()));
                } else if (message.path("response").asBoolean()) {
                    CompletableFuture<JsonNode> waiting = responses.get(message.path("token").asText());
                    if (waiting != null) {
                        waiting.complete(message);
                    }
                }
            }
        } catch (IOException e) {
            // Closed by close() or by baresip exiting; waiters time out with the log in their message.
        }
        responses.values().forEach(f -> f.completeExceptionally(new IOException("control socket closed")));
    }

    /** One netstring, or null at the end of the stream. */
    private static byte[] readNetstring(InputStream in) throws IOException {
        ByteArrayOutputStream length = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != ':') {
            if (b < 0) {
                return null;
            }
            if (b < '0' || b > '9') {
                throw new IOException("bad netstring length byte " + b);
            }
            length.write(b);
        }
        byte[] body = in.readNBytes(Integer.parseInt(length.toString(StandardCharsets.US_ASCII)));
        if (in.read() != ',') {
            throw new IOException("netstring without its trailing comma");
        }
        return body;
    }

    private static Socket connect(Process process, int port, Path dir) throws IOException {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("baresip exited with " + process.exitValue() + " at start; its output in "
                        + dir);
            }
            try {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return socket;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException("baresip's ctrl_tcp never listened on " + port + "; its output in " + dir, e);
                }
            }
            awaitExitOrPoll(process);
        }
    }

    // A condition without a notification (a file that grows, a port that opens) is looked at again
    // after POLL, or at once when baresip exits (then the caller's next look reports it).
    private static void awaitExitOrPoll(Process process) {
        process.onExit().completeOnTimeout(process, POLL.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    // ---------------------------------------------------------------- ports and binary

    private static Path findOnPath(String name) {
        for (String folder : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(folder, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("baresip not found: install the Debian package baresip");
    }

    /** A port free for UDP and TCP whose successor is free for TCP too (baresip's SIP/TLS). */
    private static int freeSipPortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freeTcpPort();
            if (port < 65535 && udpFree(port) && tcpFree(port + 1)) {
                return port;
            }
        }
        throw new IOException("no free pair of ports on 127.0.0.1");
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean tcpFree(int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean udpFree(int port) {
        try {
            new DatagramSocket(port, InetAddress.getLoopbackAddress()).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
