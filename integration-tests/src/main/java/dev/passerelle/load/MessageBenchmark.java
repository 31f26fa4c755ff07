package dev.passerelle.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.passerelle.gateway.Gateway;
import dev.passerelle.gateway.config.ConfigLoader;
import dev.passerelle.peers.RpcReply;
import dev.passerelle.peers.SipPhone;
import dev.passerelle.peers.WsClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Chat messages per second through one node: a gateway in this JVM (memory store, static
 * identities) and {@code --senders} web users logged in over WebSocket, each keeping
 * {@code --concurrency / --senders} {@code message.send} in flight. In {@code sip} mode every
 * message goes to a JAIN-SIP {@link SipPhone} on loopback, which answers each MESSAGE (RFC 3428)
 * with 200; in {@code web} mode sender {@code i} messages web user {@code r<i>}, logged in too.
 * Latency is {@code message.send} sent → the {@code message.status} of its messageId received
 * (the status of a web message normally arrives before the send's own result, so the two are
 * matched whichever comes first). A {@code failed} status, an error result, or a status that never
 * comes within {@code --timeout} is a failure. A warm-up run of {@code --warmup} messages precedes
 * the measured run and is not counted.
 */
@Command(name = "passerelle-message-bench", mixinStandardHelpOptions = true,
        description = "Chat messages per second through a Passerelle gateway, to a SIP phone or between web users.")
public final class MessageBenchmark implements Callable<Integer> {

    @Option(names = "--mode", defaultValue = "sip", description = "sip (to a SIP phone) or web (to other web users) (default ${DEFAULT-VALUE})")
    private String mode;

    @Option(names = "--messages", defaultValue = "20000", description = "messages measured (default ${DEFAULT-VALUE})")
    private int messages;

    @Option(names = "--warmup", defaultValue = "2000", description = "messages sent before the measurement (default ${DEFAULT-VALUE})")
    private int warmup;

    @Option(names = "--concurrency", defaultValue = "20", description = "messages in flight in all (default ${DEFAULT-VALUE})")
    private int concurrency;

    @Option(names = "--senders", defaultValue = "10", description = "web users sending (default ${DEFAULT-VALUE})")
    private int senders;

    @Option(names = "--body-bytes", defaultValue = "100", description = "bytes in each body (default ${DEFAULT-VALUE})")
    private int bodyBytes;

    @Option(names = "--timeout", defaultValue = "30", description = "seconds a message may take before it counts as failed (default ${DEFAULT-VALUE})")
    private int timeoutSeconds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MessageBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        boolean sip = switch (mode) {
            case "sip" -> true;
            case "web" -> false;
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--mode: sip or web");
        };
        if (senders < 1 || concurrency < senders || concurrency % senders != 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--concurrency must be a positive multiple of --senders");
        }
        Path connectors = Files.createTempDirectory("passerelle-message-bench");
        Gateway gateway = new Gateway(new ConfigLoader(Map.of()).fromYaml(config(connectors)));
        List<WsClient> clients = new ArrayList<>();
        SipPhone phone = sip ? SipPhone.start() : null;
        try {
            gateway.start();
            URI ws = URI.create("ws://127.0.0.1:" + gateway.webSocketPort() + "/ws");
            Duration connect = Duration.ofSeconds(10);
            List<Sender> all = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                WsClient client = WsClient.connect(ws, connect);
                clients.add(client);
                client.login("s" + i + "-token");
                all.add(new Sender(client, sip ? phone.uri() : "r" + i));
                if (!sip) {
                    WsClient receiver = WsClient.connect(ws, connect);
                    clients.add(receiver);
                    receiver.login("r" + i + "-token");
                }
            }
            String body = "x".repeat(bodyBytes);
            System.out.printf(Locale.ROOT, "gateway ws=%d sip=%d; mode %s (%s); %d messages after %d warm-up, "
                            + "concurrency %d over %d senders, %d-byte bodies%n",
                    gateway.webSocketPort(), gateway.sipPort(), mode, sip ? "to " + phone.uri() : "to " + senders + " web users",
                    messages, warmup, concurrency, senders, bodyBytes);
            if (warmup > 0) {
                Run warm = new Run(warmup, body).execute(all);
                System.out.printf(Locale.ROOT, "warm-up: %d delivered, %d failed%n", warm.delivered.get(), warm.failures.count());
            }
            Run measured = new Run(messages, body).execute(all);
            measured.report();
            return measured.failures.count() == 0 ? 0 : 1;
        } finally {
            clients.forEach(WsClient::close);
            if (phone != null) {
                phone.close();
            }
            gateway.close();
            Files.deleteIfExists(connectors);
        }
    }

    private String config(Path connectors) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (int i = 0; i < senders; i++) {
            tokens.put("s" + i, "s" + i + "-token");
            tokens.put("r" + i, "r" + i + "-token");
        }
        return BenchConfig.yaml(tokens, connectors, "");
    }

    /** One web user sending, and what its session has to say about its messages. */
    private record Sender(WsClient client, String to) {}

    /** One batch of messages: all sent, each one ended by a status, an error or the timeout. */
    private final class Run {
        private final int total;
        private final String body;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch ended;
        private final AtomicLong delivered = new AtomicLong();
        private final Failures failures = new Failures();
        private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
        private volatile boolean over;
        private long elapsedNanos;

        Run(int total, String body) {
            this.total = total;
            this.body = body;
            this.ended = new CountDownLatch(total);
        }

        Run execute(List<Sender> all) throws InterruptedException {
            List<Thread> threads = new ArrayList<>();
            long begin = System.nanoTime();
            for (Sender sender : all) {
                Track track = new Track(sender);
                threads.add(daemon("send-" + sender.to(), track::send));
                threads.add(daemon("status-" + sender.to(), track::drain));
            }
            ended.await(Math.max(timeoutSeconds, total / 100L + timeoutSeconds), TimeUnit.SECONDS);
            elapsedNanos = System.nanoTime() - begin;
            over = true;
            for (long missing = ended.getCount(); missing > 0; missing--) {
                failures.add("no message.status within the run's deadline");
            }
            for (Thread t : threads) {
                t.interrupt();
                t.join(TimeUnit.SECONDS.toMillis(5));
            }
            return this;
        }

        void report() {
            List<Long> sorted = new ArrayList<>(nanos);
            sorted.sort(null);
            double seconds = elapsedNanos / 1e9;
            System.out.printf(Locale.ROOT, "messages: %d delivered, %d failed, in %.1f s: %.1f messages per second%n",
                    delivered.get(), failures.count(), seconds, delivered.get() / seconds);
            if (!sorted.isEmpty()) {
                System.out.printf(Locale.ROOT, "latency (message.send sent -> message.status): p50 %.2f ms, p90 %.2f ms, "
                                + "p99 %.2f ms, max %.2f ms%n",
                        Percentiles.millis(sorted, 50), Percentiles.millis(sorted, 90), Percentiles.millis(sorted, 99),
                        sorted.get(sorted.size() - 1) / 1e6);
            }
            failures.printSamples();
        }

        /**
         * One sender's messages in flight. The result of {@code message.send} (carrying the
         * messageId) and the {@code message.status} may come in either order; whichever comes
         * second ends the message. Guarded by its own monitor.
         */
        private final class Track {
            private final Sender sender;
            private final Semaphore window = new Semaphore(concurrency / senders);
            /** messageId → when it was sent, for the messages whose result came first. */
            private final Map<String, Long> sentAt = new HashMap<>();
            /** messageId → its status and when it came, for the statuses that came first. */
            private final Map<String, Status> early = new HashMap<>();

            Track(Sender sender) {
                this.sender = sender;
            }

            void send() {
                try {
                    while (!over) {
                        window.acquire();
                        if (next.getAndIncrement() >= total) {
                            return;
                        }
                        long t0 = System.nanoTime();
                        sender.client().call("message.send", WsClient.params().put("to", sender.to()).put("body", body))
                                .whenComplete((reply, error) -> replied(t0, reply, error));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            void drain() {
                Duration poll = Duration.ofMillis(200);
                while (!over && !Thread.currentThread().isInterrupted()) {
                    Optional<JsonNode> event = sender.client().eventLog()
                            .poll(e -> "message.status".equals(e.path("method").asText()), poll);
                    event.ifPresent(e -> statused(e.path("params"), System.nanoTime()));
                }
            }

            private void replied(long t0, RpcReply reply, Throwable error) {
                if (error != null || reply.isError()) {
                    end("message.send to " + sender.to() + " refused: " + (error != null ? error : reply.error()));
                    return;
                }
                String id = reply.result().path("messageId").asText();
                Status status;
                synchronized (this) {
                    status = early.remove(id);
                    if (status == null) {
                        sentAt.put(id, t0);
                        return;
                    }
                }
                finish(status, status.at() - t0);
            }

            private void statused(JsonNode params, long at) {
                Status status = new Status(params.path("messageId").asText(), params.path("status").asText(),
                        params.path("code").asInt(), at);
                Long t0;
                synchronized (this) {
                    t0 = sentAt.remove(status.messageId());
                    if (t0 == null) {
                        early.put(status.messageId(), status);
                        return;
                    }
                }
                finish(status, at - t0);
            }

            private void finish(Status status, long latency) {
                if ("delivered".equals(status.status())) {
                    delivered.incrementAndGet();
                    nanos.add(latency);
                    end(null);
                } else {
                    end("message " + status.messageId() + " to " + sender.to() + ": " + status.status()
                            + " " + status.code());
                }
            }

            private void end(String failure) {
                if (failure != null) {
                    failures.add(failure);
                }
                window.release();
                ended.countDown();
            }
        }
    }

    /** A {@code message.status} event and when it arrived. */
    private record Status(String messageId, String status, int code, long at) {}

    private static Thread daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
