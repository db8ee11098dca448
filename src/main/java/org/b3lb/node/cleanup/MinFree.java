package org.b3lb.node.cleanup;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The free space the disk guard keeps: a share of the filesystem ({@code 15%}) or a size
 * ({@code 50G}, binary units as {@code df -h} shows them).
 *
 * @param percent the share, 0 &lt; percent &lt; 100, or 0 when {@code bytes} is given
 * @param bytes   the size in bytes, or 0 when {@code percent} is given
 * @param text    the value as the admin wrote it, for log lines
 */
public record MinFree(double percent, long bytes, String text) {

    private static final Pattern PERCENT = Pattern.compile("(\\d{1,2}(?:\\.\\d+)?)\\s*%");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]?)(?:i?B)?", Pattern.CASE_INSENSITIVE);

    /** @return the parsed value, or null when the text is not one of the two forms (or is zero) */
    public static MinFree parse(String text) {
        String t = text.trim();
        Matcher m = PERCENT.matcher(t);
        if (m.matches()) {
            double p = Double.parseDouble(m.group(1));
            return p > 0 && p < 100 ? new MinFree(p, 0, t) : null;
        }
        m = SIZE.matcher(t);
        if (!m.matches()) {
            return null;
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        double b = Double.parseDouble(m.group(1)) * (1L << shift);
        return b >= 1 && b < Long.MAX_VALUE ? new MinFree(0, (long) Math.ceil(b), t) : null;
    }

    /** The target in bytes on a filesystem of {@code totalBytes}. */
    public long targetBytes(long totalBytes) {
        return percent > 0 ? (long) Math.ceil(totalBytes * percent / 100.0) : bytes;
    }
}
