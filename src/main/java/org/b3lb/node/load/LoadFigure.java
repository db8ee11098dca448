package org.b3lb.node.load;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The balancer's figure: 1-minute load average / CPU count * 100, as text with exactly two
 * decimals and a newline ({@code "45.32\n"}), the format the spec's load script answered.
 */
public final class LoadFigure {

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

    /** Two decimals, half-up, always a dot whatever the JVM's locale, then a newline. */
    public static String format(double percent) {
        return BigDecimal.valueOf(percent).setScale(2, RoundingMode.HALF_UP).toPlainString() + "\n";
    }

    /**
     * The same figure as a whole number on B3LB's 0..10000 scale ({@code "4532\n"} for 45.32 %):
     * deployed B3LB 3.x reads {@code int(first line)} and silently ignores {@code "45.32"}. Capped at
     * 10000: B3LB's own reporter never exceeds it, and its load polynomial makes a node answering far
     * above it (an overloaded load average) look worse than a dead one.
     */
    public static String formatInteger(double percent) {
        BigDecimal scaled = BigDecimal.valueOf(percent).movePointRight(2).setScale(0, RoundingMode.HALF_UP);
        return scaled.max(BigDecimal.ZERO).min(BigDecimal.valueOf(INTEGER_MAX)).toPlainString() + "\n";
    }

    /** 100 % on B3LB's scale ({@code cpu_load} "base 10000"). */
    public static final int INTEGER_MAX = 10000;

    /** The answer formats an admin can choose with {@code b3lb.load.format}. */
    public enum Format {
        PERCENT, INTEGER;

        String render(double percent) {
            return this == PERCENT ? format(percent) : formatInteger(percent);
        }
    }
}
