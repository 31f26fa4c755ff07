package dev.passerelle.connector.turn;

import dev.passerelle.connector.spi.QualityReport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwards quality reports to the QoS server in batches, off the signaling path.
 *
 * <p>What it promises: {@link #offer} never blocks and never throws; a report that does not fit in
 * the queue ({@code queueLimit}) is dropped, counted, and reported by a WARN line at most once per
 * {@code flushInterval} with the count since the previous line. One sender thread posts a batch
 * when {@code batchSize} reports are in hand or {@code flushInterval} after the first of them; a
 * POST that fails (no connection, no answer within {@code timeout}, a status other than 2xx) is
 * retried with the same batch, after a delay starting at {@code flushInterval} and doubling up to
 * {@link #MAX_BACKOFF}, while new reports keep queueing. {@link #close} sends what it holds within
 * {@code timeout} and logs how many reports were left unsent.
 *
 * <p>The sender is one platform daemon thread: it lives as long as the connector and spends its
 * time blocked on the queue or on one HTTP exchange at a time, which is what a platform thread does
 * well; a virtual thread would buy nothing here and need Java 21 API this release-17 code cannot
 * call.
 */
final class ReportSender implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReportSender.class.getName());
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);
    /**
     * Put in the queue by {@link #close} to wake a sender waiting for a first report; never sent.
     * (A full queue needs no waking.) Interrupting the thread instead could cut a POST short and
     * have the server receive its batch twice.
     */
    private static final QualityReport WAKE = new QualityReport("-", "-", "-", Instant.EPOCH, List.of());

    private final ReportSettings settings;
    private final URI uri;
    private final HttpClient http;
    private final BlockingQueue<QualityReport> queue;
    private final long flushNanos;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile long closeDeadline;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedSinceLine = new AtomicLong();
    private final AtomicLong lastDropLine;
    private final AtomicLong sent = new AtomicLong();
    /** Why the latest report was dropped: the sender was closed, or else the queue was full. */
    private volatile boolean lastDropWhileClosed;
    /** Reports taken from the queue and not yet delivered. */
    private volatile int inHand;
    private final Thread thread;

    private ReportSender(ReportSettings settings, URI uri) {
        this.settings = settings;
        this.uri = uri;
        // One exchange at a time on one connection: HTTP/2 would bring nothing but an h2c upgrade.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.timeout())
                .build();
        this.queue = new ArrayBlockingQueue<>(settings.queueLimit());
        this.flushNanos = settings.flushInterval().toNanos();
        this.lastDropLine = new AtomicLong(System.nanoTime() - flushNanos);
        this.thread = new Thread(this::run, "passerelle-qos-reports");
        thread.setDaemon(true);
    }

    /** A sender to {@code uri}, running. */
    static ReportSender start(ReportSettings settings, URI uri) {
        ReportSender sender = new ReportSender(settings, uri);
        sender.thread.start();
        return sender;
    }

    /** Queues a report, or drops and counts it when the queue is full or the sender closed. */
    void offer(QualityReport report) {
        boolean closed = isClosing();
        if (closed || !queue.offer(report)) {
            lastDropWhileClosed = closed;
            dropped.incrementAndGet();
            droppedSinceLine.incrementAndGet();
            logDropsIfDue(System.nanoTime());
        }
    }

    /** Reports dropped so far. */
    long dropped() {
        return dropped.get();
    }

    /** Reports the QoS server accepted so far. */
    long sent() {
        return sent.get();
    }

    private void logDropsIfDue(long now) {
        long last = lastDropLine.get();
        if (droppedSinceLine.get() > 0 && now - last >= flushNanos && lastDropLine.compareAndSet(last, now)) {
            logDrops();
        }
    }

    private void logDrops() {
        long count = droppedSinceLine.getAndSet(0);
        if (count > 0) {
            LOG.log(Level.WARNING, "QoS reports: " + count + " dropped since the last line (" + dropped.get()
                    + " in all): " + (lastDropWhileClosed ? "the connector is closed"
                            : "the queue of " + settings.queueLimit() + " is full, " + uri + " does not keep up"));
        }
    }

    /**
     * Nobody but the JVM's end interrupts the sender; it then stops at once, and the flush on
     * close only counts what is left.
     */
    private void stopNow() {
        closeDeadline = System.nanoTime();
        closing.countDown();
    }

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    private void run() {
        List<QualityReport> batch = new ArrayList<>(Math.min(settings.batchSize(), settings.queueLimit()));
        while (!isClosing()) {
            logDropsIfDue(System.nanoTime());
            fill(batch);
            if (!batch.isEmpty() && deliver(batch)) {
                batch.clear();
                inHand = 0;
            }
        }
        flushOnClose(batch);
    }

    /** Waits for a first report, then for more until the batch is full or the flush interval passed. */
    private void fill(List<QualityReport> batch) {
        long deadline = System.nanoTime() + flushNanos;
        while (batch.size() < settings.batchSize() && !isClosing()) {
            take(batch, settings.batchSize() - batch.size());
            long left = deadline - System.nanoTime();
            if (batch.size() >= settings.batchSize() || left <= 0) {
                break;
            }
            QualityReport next = poll(left);
            if (next != null) {
                batch.add(next);
                if (batch.size() == 1) {
                    // The interval runs from the first report of the batch.
                    deadline = System.nanoTime() + flushNanos;
                }
            } else if (batch.isEmpty()) {
                break;
            }
        }
        inHand = batch.size();
    }

    /** The next report within {@code nanos}, or null (none came, or close() woke the sender). */
    private QualityReport poll(long nanos) {
        try {
            QualityReport next = queue.poll(nanos, TimeUnit.NANOSECONDS);
            return next == WAKE ? null : next;
        } catch (InterruptedException e) {
            stopNow();
            return null;
        }
    }

    /** Moves up to {@code max} queued reports into the batch. */
    private void take(List<QualityReport> batch, int max) {
        queue.drainTo(batch, max);
        batch.removeIf(r -> r == WAKE);
        inHand = batch.size();
    }

    /**
     * Posts the batch until the server takes it; false only once closing and the close deadline
     * passed first.
     */
    private boolean deliver(List<QualityReport> batch) {
        byte[] body = ReportJson.batch(batch);
        long backoff = flushNanos;
        for (int attempt = 1;; attempt++) {
            if (isClosing() && closeDeadline - System.nanoTime() <= 0) {
                return false;
            }
            String failure = post(body);
            if (failure == null) {
                sent.addAndGet(batch.size());
                if (attempt > 1) {
                    LOG.log(Level.INFO, "QoS reports: " + uri + " took a batch of " + batch.size() + " after "
                            + attempt + " attempts");
                }
                return true;
            }
            if (attempt == 1) {
                LOG.log(Level.WARNING, "QoS reports: " + uri + " " + failure + "; keeping the batch of " + batch.size()
                        + " and retrying with back-off up to " + MAX_BACKOFF.toSeconds() + " s");
            } else {
                LOG.log(Level.DEBUG, "QoS reports: attempt " + attempt + ": " + uri + " " + failure);
            }
            logDropsIfDue(System.nanoTime());
            if (!pause(backoff)) {
                return false;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF.toNanos());
        }
    }

    /** Waits before the next attempt; false when closing and no time is left for one. */
    private boolean pause(long nanos) {
        try {
            if (!isClosing()) {
                // close() cuts the wait short.
                closing.await(nanos, TimeUnit.NANOSECONDS);
                return true;
            }
            long left = closeDeadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(nanos, left));
            return closeDeadline - System.nanoTime() > 0;
        } catch (InterruptedException e) {
            stopNow();
            return false;
        }
    }

    /** One POST; null when the server took it, else what went wrong (never the credentials). */
    private String post(byte[] body) {
        Duration timeout = settings.timeout();
        if (isClosing()) {
            long left = Math.max(closeDeadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(1));
            timeout = Duration.ofNanos(Math.min(left, timeout.toNanos()));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        settings.authorization().ifPresent(value -> request.header("Authorization", value));
        try {
            int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status / 100 == 2 ? null : "answered " + status;
        } catch (HttpTimeoutException e) {
            return "did not answer within " + timeout.toMillis() + " ms";
        } catch (IOException e) {
            return "failed: " + e;
        } catch (InterruptedException e) {
            stopNow();
            return "was not waited for: the sender was interrupted";
        }
    }

    private void flushOnClose(List<QualityReport> batch) {
        boolean inTime = true;
        while (inTime) {
            take(batch, settings.batchSize() - batch.size());
            if (batch.isEmpty()) {
                break;
            }
            inTime = deliver(batch);
            if (inTime) {
                batch.clear();
                inHand = 0;
            }
        }
        logDrops();
        int unsent = batch.size() + queue.size();
        if (unsent > 0) {
            LOG.log(Level.WARNING, "QoS reports: closed with " + unsent + " unsent: " + uri + " did not take them within "
                    + settings.timeout().toMillis() + " ms");
        } else {
            LOG.log(Level.DEBUG, "QoS reports: closed, nothing left unsent (" + sent.get() + " sent, " + dropped.get()
                    + " dropped in all)");
        }
    }

    /** Sends what is queued within {@code timeout}, then stops; logs how many reports were left unsent. */
    @Override
    public void close() {
        if (isClosing()) {
            return;
        }
        closeDeadline = System.nanoTime() + settings.timeout().toNanos();
        closing.countDown();
        queue.offer(WAKE);
        try {
            thread.join(settings.timeout().plus(CLOSE_GRACE).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(Level.WARNING, "QoS reports: the sender did not stop in time; " + (inHand + queue.size())
                    + " reports left unsent");
        }
    }
}
