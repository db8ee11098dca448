package org.b3lb.node.cleanup;

import java.time.Instant;
import org.b3lb.node.config.Sizes;

/**
 * What one pass did. In a dry run {@code deleted}, {@code leftovers} and {@code freedBytes} count
 * what a real pass would have deleted, so the two report the same set.
 *
 * @param freedBytes recordings' and leftovers' bytes
 * @param pending    recordings past the retention kept because their {@code <id>.ready} marker says
 *                   they are not uploaded yet: uploads that are stuck or running
 * @param unmarked   tars kept with neither a marker nor evidence of their upload: nothing uploads
 *                   them and nothing may delete them until an admin marks them
 * @param leftovers  temp files of dead writers deleted
 * @param listFailed the directory itself could not be read: the pass looked at nothing
 */
public record CleanupResult(boolean dryRun, long deleted, long freedBytes, long pending, long unmarked, long leftovers,
        long errors, boolean listFailed, Instant startedAt, long durationMillis) {

    /**
     * The line an admin greps for; what was kept neither uploaded nor marked, leftovers and errors
     * only when there are any, so it tells them to look further up.
     */
    public String summary() {
        String kept = dryRun ? "would keep " : "kept ";
        String line = "cleanup: " + did(dryRun, deleted, freedBytes) + ", " + kept + pending + " pending";
        if (unmarked > 0) {
            line += ", " + kept + unmarked + " not uploaded and not marked (clean --dry-run --verbose shows how to mark "
                    + (unmarked == 1 ? "it)" : "them)");
        }
        if (leftovers > 0) {
            line += ", " + (dryRun ? "would delete " : "deleted ") + leftovers + " leftover temp file" + (leftovers == 1 ? "" : "s");
        }
        return line + ", in " + durationMillis + " ms" + errors(errors);
    }

    /** The pass's and the guard's "deleted N recordings (X freed)", or what a dry run would. */
    static String did(boolean dryRun, long n, long bytes) {
        return dryRun ? "would delete " + recordings(n) + " (would free " + Sizes.bytes(bytes) + ")"
                : "deleted " + recordings(n) + " (" + Sizes.bytes(bytes) + " freed)";
    }

    static String errors(long n) {
        return n == 0 ? "" : ", " + n + (n == 1 ? " error" : " errors") + " (see the lines above)";
    }

    static String recordings(long n) {
        return n + (n == 1 ? " recording" : " recordings");
    }
}
