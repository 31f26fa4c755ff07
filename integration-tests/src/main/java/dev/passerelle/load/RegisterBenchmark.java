package dev.passerelle.load;

import dev.passerelle.gateway.config.GatewayConfig;
import dev.passerelle.gateway.sip.InboundInvite;
import dev.passerelle.gateway.sip.JainSipService;
import dev.passerelle.gateway.sip.RegistrationState;
import dev.passerelle.gateway.sip.SipEvents;
import dev.passerelle.gateway.sip.SipRegistration;
import dev.passerelle.peers.Kamailio;
import dev.passerelle.sipstack.HeaderPolicy;
import dev.passerelle.sipstack.ImsProfile;
import dev.passerelle.sipstack.NumberPlan;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * REGISTER refreshes per second for many web users on one node, and the heap each registration
 * holds. A gateway SIP side in this JVM registers {@code --users} AORs at a real Kamailio (digest
 * MD5, qop=auth, in-memory location table), then keeps them registered: with {@code --expires}
 * granted, each refreshes every {@code expires - min(expires/2, 30 s)}. Over {@code --window}
 * seconds of steady state it counts the refreshes that succeeded, those that failed, and the
 * registrations whose binding lapsed (two successes further apart than the time granted), so that
 * a demand above what the node sustains shows as lapses, not as a flattering rate.
 */
@Command(name = "passerelle-register-bench", mixinStandardHelpOptions = true,
        description = "REGISTER refreshes per second through a Passerelle SIP side, against Kamailio.")
public final class RegisterBenchmark implements Callable<Integer> {

    @Option(names = "--users", defaultValue = "10000", description = "web users registered (default ${DEFAULT-VALUE})")
    private int users;

    @Option(names = "--expires", defaultValue = "60", description = "seconds asked for and granted (default ${DEFAULT-VALUE})")
    private int expires;

    @Option(names = "--window", defaultValue = "60", description = "seconds of steady state measured (default ${DEFAULT-VALUE})")
    private int window;

    private static final String DOMAIN = "bench.example";

    private final ConcurrentHashMap<String, Long> lastSuccess = new ConcurrentHashMap<>();
    private volatile CountDownLatch registeredOnce;
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lapses = new AtomicLong();
    private volatile long measuring;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RegisterBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("passerelle-register-bench");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (Kamailio kamailio = Kamailio.start(template(), dir, DOMAIN, "MD5", Map.of())) {
            JainSipService sip = new JainSipService(new GatewayConfig.SipConfig("127.0.0.1", 0, DOMAIN,
                    Optional.empty(), Optional.of(kamailio.registrarUri()), "Passerelle-bench", 8, 65_536,
                    Duration.ofSeconds(60), Duration.ofSeconds(expires), Duration.ofSeconds(30),
                    NumberPlan.DEFAULT, HeaderPolicy.DEFAULT, ImsProfile.NONE, Optional.empty(),
                    GatewayConfig.SessionTimerConfig.DEFAULT, Duration.ZERO, List.of()));
            sip.setEvents(new Counting());
            sip.start();
            long heapBefore = settledHeap(memory);

            registeredOnce = new CountDownLatch(users);
            long t0 = System.nanoTime();
            for (int i = 0; i < users; i++) {
                sip.register(new SipRegistration("u" + i, "sip:u" + i + "@" + DOMAIN, null, "u" + i, "bench-pw"));
            }
            if (!registeredOnce.await(60, TimeUnit.SECONDS)) {
                System.out.printf(Locale.ROOT, "only %d of %d registered within 60 s (%d failures)%n",
                        users - registeredOnce.getCount(), users, failures.get());
                return 1;
            }
            double initialSeconds = (System.nanoTime() - t0) / 1e9;
            // A REGISTER's client transaction lingers for Timer K (T4, 5 s, RFC 3261 §17.1.2.2):
            // what is left after it is what the registrations themselves hold.
            Thread.sleep(6_000);
            long heapAfter = settledHeap(memory);

            successes.set(0);
            failures.set(0);
            lapses.set(0);
            measuring = System.nanoTime();
            Thread.sleep(Duration.ofSeconds(window).toMillis());
            long refreshed = successes.get();
            long failed = failures.get();
            long lapsed = lapses.get();
            double refreshEvery = expires - Math.min(expires / 2.0, 30);

            System.out.printf(Locale.ROOT, "users %d, expires %d s (refresh every %.0f s, demand %.0f/s)%n",
                    users, expires, refreshEvery, users / refreshEvery);
            System.out.printf(Locale.ROOT, "initial registrations: %.2f s, %.0f/s (REGISTER, 401, REGISTER, 200 each)%n",
                    initialSeconds, users / initialSeconds);
            System.out.printf(Locale.ROOT, "steady state over %d s: %d refreshes, %.1f/s; %d failed; %d lapsed%n",
                    window, refreshed, refreshed / (double) window, failed, lapsed);
            System.out.printf(Locale.ROOT, "heap held by the registrations: %.1f MiB, %.0f bytes each%n",
                    (heapAfter - heapBefore) / 1048576.0, (heapAfter - heapBefore) / (double) users);
            sip.stop(Duration.ofSeconds(30));
        }
        return 0;
    }

    /** The heap in use once the collector has nothing more to take. */
    private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(200);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) < 256 * 1024) {
                return used;
            }
            previous = used;
        }
        return previous;
    }

    private static String template() throws IOException {
        try (InputStream in = RegisterBenchmark.class.getResourceAsStream("/kamailio/registrar-bench.cfg")) {
            if (in == null) {
                throw new IOException("kamailio/registrar-bench.cfg is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Counts registration outcomes; only registration events happen in this benchmark. */
    private final class Counting implements SipEvents {

        @Override
        public void registrationState(String aor, RegistrationState state) {
            if (state.status() == RegistrationState.Status.FAILED) {
                failures.incrementAndGet();
                return;
            }
            if (state.status() != RegistrationState.Status.REGISTERED) {
                return;
            }
            long now = System.nanoTime();
            Long previous = lastSuccess.put(aor, now);
            if (previous == null) {
                registeredOnce.countDown();
                return;
            }
            if (measuring > 0) {
                successes.incrementAndGet();
                if (now - previous > Duration.ofSeconds(expires).toNanos()) {
                    lapses.incrementAndGet();
                }
            }
        }

        @Override
        public void incomingInvite(InboundInvite invite) {
            throw new IllegalStateException("no calls in this benchmark");
        }

        @Override
        public void progress(String callId, int status, String reason, String sdp) {
        }

        @Override
        public void accepted(String callId, String sdp) {
        }

        @Override
        public void failed(String callId, int status, String reason) {
        }

        @Override
        public void confirmed(String callId) {
        }

        @Override
        public void remoteBye(String callId) {
        }

        @Override
        public void remoteCancel(String callId) {
        }

        @Override
        public void dtmf(String callId, String tones) {
        }

        @Override
        public void transfer(String callId, String target, int status, boolean outcome) {
        }

        @Override
        public void redirected(String callId, int status, String reason, List<String> contacts) {
        }

        @Override
        public void referred(String callId, String target, String referredBy) {
        }

        @Override
        public void presence(String subscriptionId, dev.passerelle.gateway.sip.PresenceStatus status, String note,
                boolean terminated) {
        }

        @Override
        public CompletionStage<String> remoteOffer(String callId, String sdp) {
            return CompletableFuture.failedFuture(new IllegalStateException("no calls in this benchmark"));
        }

        @Override
        public CompletionStage<Integer> message(dev.passerelle.gateway.sip.InboundMessage message) {
            return CompletableFuture.completedFuture(480);
        }
    }
}
