package dev.passerelle.load;

import java.util.List;

/** Nearest-rank percentiles of latencies measured in nanoseconds, reported in milliseconds. */
final class Percentiles {
    private Percentiles() {}

    /** The {@code p}-th percentile (nearest rank) of {@code sorted}, ascending and not empty, in ms. */
    static double millis(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
    }
}
