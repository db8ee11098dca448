package org.b3lb.node.upload;

import java.time.Duration;
import java.util.Locale;

/** Human-readable sizes, durations and rates for log lines. */
final class Sizes {

    private Sizes() {
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String mbPerSecond(long bytes, double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds <= 0 ? 0.0 : bytes / 1e6 / seconds);
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        return s < 3600 ? (s / 60) + "m" + (s % 60 > 0 ? (s % 60) + "s" : "") : (s / 3600) + "h" + ((s % 3600) / 60) + "m";
    }
}
