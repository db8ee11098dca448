package org.b3lb.node.cleanup;

import java.time.Instant;
import java.util.Locale;

/**
 * What one pass did. In a dry run {@code deleted} and {@code freedBytes} count what a real pass
 * would have deleted, so the two report the same set.
 *
 * @param pending    recordings past the retention kept because their {@code <id>.ready} marker says
 *                   they are not uploaded yet: uploads that are stuck or running
 * @param listFailed the directory itself could not be read: the pass looked at nothing
 */
public record CleanupResult(boolean dryRun, long deleted, long freedBytes, long pending, long errors,
        boolean listFailed, Instant startedAt, long durationMillis) {

    private static final double MIB = 1024.0 * 1024.0;

    /**
     * {@code cleanup: deleted N recordings (X MiB freed), kept M pending, in T ms}, or in a dry run
     * {@code cleanup: would delete N recordings (would free X MiB), would keep M pending, in T ms};
     * errors, when there were any, are appended so the line an admin greps for tells them to look
     * further up.
     */
    public String summary() {
        String line = dryRun
                ? String.format(Locale.ROOT, "cleanup: would delete %s (would free %.1f MiB), would keep %d pending, in %d ms",
                        recordings(deleted), freedBytes / MIB, pending, durationMillis)
                : String.format(Locale.ROOT, "cleanup: deleted %s (%.1f MiB freed), kept %d pending, in %d ms",
                        recordings(deleted), freedBytes / MIB, pending, durationMillis);
        return errors == 0 ? line : line + ", " + errors + (errors == 1 ? " error" : " errors") + " (see the lines above)";
    }

    static String recordings(long n) {
        return n + (n == 1 ? " recording" : " recordings");
    }
}
