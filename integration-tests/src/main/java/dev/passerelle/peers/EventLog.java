package dev.passerelle.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Everything a peer received, in arrival order, that a test can wait on. Waiting consumes the
 * first matching entry that no earlier wait consumed, so a test can wait for B and then for A even
 * when A arrived first, and two waits for the same kind of entry see two different entries.
 */
public final class EventLog<T> {

    private final List<T> entries = new ArrayList<>();
    private final List<Boolean> consumed = new ArrayList<>();
    /** Every entry before this index is consumed; scans start here, so long logs stay cheap. */
    private int head;

    public synchronized void add(T entry) {
        entries.add(entry);
        consumed.add(false);
        notifyAll();
    }

    /** Every entry so far, consumed or not, oldest first. */
    public synchronized List<T> all() {
        return List.copyOf(entries);
    }

    /** Waits up to {@code timeout} for an entry matching {@code match} and consumes it. */
    public synchronized Optional<T> poll(Predicate<? super T> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int scanned = head;
        while (true) {
            for (int i = scanned; i < entries.size(); i++) {
                if (!consumed.get(i) && match.test(entries.get(i))) {
                    consumed.set(i, true);
                    while (head < entries.size() && consumed.get(head)) {
                        head++;
                    }
                    return Optional.of(entries.get(i));
                }
            }
            // Only the entries added after this scan can match a later one: earlier ones did not.
            scanned = entries.size();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            try {
                wait(Math.max(1, left / 1_000_000), 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** Like {@link #poll} but fails with a message listing what did arrive. */
    public T await(Predicate<? super T> match, Duration timeout, String what) {
        return poll(match, timeout).orElseThrow(() -> new AssertionError(
                "no " + what + " within " + timeout.toMillis() + " ms; received: " + all()));
    }
}
