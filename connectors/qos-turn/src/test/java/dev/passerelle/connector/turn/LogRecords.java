package dev.passerelle.connector.turn;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What {@link ReportSender} logs. Without a logging provider on the test class path, {@code
 * System.Logger} writes to java.util.logging under the class's name, so a handler there sees
 * every line.
 */
final class LogRecords extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger(ReportSender.class.getName());
    private final BlockingQueue<LogRecord> records = new LinkedBlockingQueue<>();

    LogRecords() {
        logger.setLevel(Level.ALL);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** The next line at WARNING containing {@code text}, waiting up to {@code wait}. */
    String awaitWarning(String text, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (;;) {
            LogRecord r = records.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("no WARNING with '" + text + "' within " + wait);
            }
            if (r.getLevel() == Level.WARNING && r.getMessage().contains(text)) {
                return r.getMessage();
            }
        }
    }

    /** Every line logged so far and not taken yet. */
    List<String> drain() {
        List<LogRecord> out = new java.util.ArrayList<>();
        records.drainTo(out);
        return out.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
