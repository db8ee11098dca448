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
     * {@code cleanup: deleted N recordings (X GiB freed), kept M pending, in T ms}, or in a dry run
     * {@code cleanup: would delete N recordings (would free X GiB), would keep M pending, in T ms};
     * recordings neither uploaded nor marked, leftovers and errors are added when there are any,
     * so the line an admin greps for tells them to look further up.
     */
    public String summary() {
        String line = dryRun
                ? "cleanup: would delete " + recordings(deleted) + " (would free " + Sizes.bytes(freedBytes)
                        + "), would keep " + pending + " pending"
                : "cleanup: deleted " + recordings(deleted) + " (" + Sizes.bytes(freedBytes) + " freed), kept " + pending
                        + " pending";
        if (unmarked > 0) {
            line += ", " + (dryRun ? "would keep " : "kept ") + unmarked + " not uploaded and not marked"
                    + " (clean --dry-run --verbose shows how to mark " + (unmarked == 1 ? "it)" : "them)");
        }
        if (leftovers > 0) {
            line += ", " + (dryRun ? "would delete " : "deleted ") + leftovers + " leftover temp file"
                    + (leftovers == 1 ? "" : "s");
        }
        line += ", in " + durationMillis + " ms";
        return errors == 0 ? line : line + ", " + errors + (errors == 1 ? " error" : " errors") + " (see the lines above)";
    }

    static String recordings(long n) {
        return n + (n == 1 ? " recording" : " recordings");
    }
}
