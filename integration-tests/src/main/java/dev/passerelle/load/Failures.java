package dev.passerelle.load;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The failures of a load run: counted, the first few kept as samples for the report, and echoed
 * to stderr at most once a second so that a failing run shows why while it runs.
 */
final class Failures {
    private static final int SAMPLES = 5;

    private final AtomicInteger count = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
    private final AtomicLong lastEcho = new AtomicLong();

    void add(String why) {
        count.incrementAndGet();
        if (samples.size() < SAMPLES) {
            samples.add(why);
        }
        long now = System.nanoTime();
        long last = lastEcho.get();
        if (now - last > TimeUnit.SECONDS.toNanos(1) && lastEcho.compareAndSet(last, now)) {
            System.err.println("failure: " + why);
        }
    }

    int count() {
        return count.get();
    }

    void printSamples() {
        samples.forEach(s -> System.out.println("failure sample: " + s));
    }
}
