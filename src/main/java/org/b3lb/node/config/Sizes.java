package org.b3lb.node.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as admins write them in the config ({@code 50G}, {@code 800K}, binary units as {@code df -h}
 * shows them) and as log lines and status print them, with durations and rates.
 */
public final class Sizes {

    /** A number, then at once an optional binary unit: {@code 50M}, {@code 1.5G}, {@code 800KiB}; no space inside. */
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)([KMGT]?)(?:i?B)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /**
     * @return the size in bytes, or -1 when the text is not a size or is below one byte; a
     *         bare number is bytes, {@code K}/{@code M}/{@code G}/{@code T} are powers of 1024
     */
    public static long parseBytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        double b = Double.parseDouble(m.group(1)) * (1L << shift);
        return b >= 1 && b < Long.MAX_VALUE ? (long) Math.ceil(b) : -1;
    }

    public static String bytes(long n) {
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

    public static String mbPerSecond(long bytes, double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds <= 0 ? 0.0 : bytes / 1e6 / seconds);
    }

    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        return s < 3600 ? (s / 60) + "m" + (s % 60 > 0 ? (s % 60) + "s" : "")
                : s < 86400 ? (s / 3600) + "h" + ((s % 3600) / 60) + "m" : (s / 86400) + "d" + ((s % 86400) / 3600) + "h";
    }
}
