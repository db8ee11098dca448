package org.b3lb.node.cleanup;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.b3lb.node.config.Sizes;

/**
 * The free space the disk guard keeps: a share of the filesystem ({@code 15%}) or a size
 * ({@code 50G}, binary units as {@code df -h} shows them).
 *
 * @param percent the share, 0 &lt; percent &lt; 100, or 0 when {@code bytes} is given
 * @param bytes   the size in bytes, or 0 when {@code percent} is given
 * @param text    the value as the admin wrote it, for log lines
 */
public record MinFree(double percent, long bytes, String text) {

    /** No space before the sign: {@code 15 %} is refused rather than guessed. */
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,2}(?:\\.\\d+)?)%");

    /** @return the parsed value, or null when the text is not one of the two forms (or is zero) */
    public static MinFree parse(String text) {
        String t = text.trim();
        Matcher m = PERCENT.matcher(t);
        if (m.matches()) {
            double p = Double.parseDouble(m.group(1));
            return p > 0 && p < 100 ? new MinFree(p, 0, t) : null;
        }
        long b = Sizes.parseBytes(t);
        return b > 0 ? new MinFree(0, b, t) : null;
    }

    /** The target in bytes on a filesystem of {@code totalBytes}. */
    public long targetBytes(long totalBytes) {
        return percent > 0 ? (long) Math.ceil(totalBytes * percent / 100.0) : bytes;
    }
}
