package org.b3lb.node.load;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The balancer's figure: 1-minute load average / online CPUs * 100, as text with exactly two
 * decimals and a newline ({@code "45.32\n"}), the format the spec's load script answered.
 */
public final class LoadFigure {

    /** 100 % on B3LB's scale ({@code cpu_load} "base 10000"). */
    public static final int INTEGER_MAX = 10000;

    static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    private LoadFigure() {
    }

    /** @return the percentage, or a negative number when the OS has no load average */
    public static double percent(double loadAverage, int cpus) {
        if (loadAverage < 0 || Double.isNaN(loadAverage)) {
            return -1;
        }
        // a machine always has at least one CPU; the spec guarded the same way (cpu_count() or 1)
        return loadAverage / Math.max(1, cpus) * 100.0;
    }

    /**
     * The host's online CPUs: the load average counts the whole host's runnable tasks, and the JVM's
     * count shrinks under a systemd CPUAffinity= or cgroup quota, inflating the figure.
     */
    public static int onlineCpus() {
        try {
            int n = parseRanges(Files.readString(ONLINE, StandardCharsets.US_ASCII));
            if (n > 0) {
                return n;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /sys not mounted: the JVM's count is the best we have
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Parses the kernel's CPU list format, e.g. {@code 0-3,8-11,14}; returns 0 when unparsable. */
    static int parseRanges(String list) {
        int count = 0;
        for (String part : list.trim().split(",")) {
            if (part.isEmpty()) {
                return 0;
            }
            int dash = part.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
            if (to < from) {
                return 0;
            }
            count += to - from + 1;
        }
        return count;
    }

    /** Two decimals, half-up, always a dot whatever the JVM's locale, then a newline. */
    public static String format(double percent) {
        return BigDecimal.valueOf(percent).setScale(2, RoundingMode.HALF_UP).toPlainString() + "\n";
    }

    /**
     * The same figure on B3LB's 0..10000 scale ({@code "4532\n"} for 45.32 %): deployed B3LB 3.x reads
     * {@code int(first line)} and silently ignores {@code "45.32"}. Capped at 10000: B3LB's own reporter
     * never exceeds it, and its load polynomial makes a node far above it look worse than a dead one.
     */
    public static String formatInteger(double percent) {
        BigDecimal scaled = BigDecimal.valueOf(percent).movePointRight(2).setScale(0, RoundingMode.HALF_UP);
        return scaled.max(BigDecimal.ZERO).min(BigDecimal.valueOf(INTEGER_MAX)).toPlainString() + "\n";
    }

    /** The answer formats an admin can choose with {@code b3lb.load.format}. */
    public enum Format {
        PERCENT, INTEGER;

        String render(double percent) {
            return this == PERCENT ? format(percent) : formatInteger(percent);
        }
    }
}
