package org.b3lb.node.cleanup;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import org.b3lb.node.config.Sizes;
import org.b3lb.node.layout.RecordingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temp files of writers that died ({@code .<id><suffix>.<tag>.tmp}: a hook killed mid-tar, a
 * crash while the route wrote evidence): deleted once untouched for {@link #AGE}, because a live
 * writer (a hook packing gigabytes under I/O pressure) keeps writing and so keeps its mtime
 * fresh. The hook's lock {@code .<id>.lock} is no leftover: only a hook run holding it removes it (a
 * lock removed by anyone else would let two runs lock two files for one id).
 */
final class Leftovers {

    /** Far beyond any hook run or upload; the files are hidden and cost only space until then. */
    static final Duration AGE = Duration.ofHours(24);
    /** What {@link #consider} returns when the file could not be examined or deleted (logged). */
    static final long ERROR = -2;
    private static final Logger LOG = LoggerFactory.getLogger(CleanupPass.class);

    private Leftovers() {
    }

    /** True for a temp-file name of the layout; a lock, a recording or any other name is false. */
    static boolean isTemp(String name) {
        return name.endsWith(RecordingLayout.TMP) && RecordingLayout.leftoverOwner(name) != null;
    }

    /**
     * Deletes (or in a dry run reports) one temp file if it is a regular file untouched for {@link #AGE}.
     *
     * @return the bytes freed (or that would be), -1 when it is kept, {@link #ERROR}
     */
    static long consider(Path entry, String name, long nowMillis, boolean dryRun, RecordingRemover remover,
            CleanupPass.Report report, KeepReason.Count kept) {
        try {
            BasicFileAttributes a = RecordingRemover.attributes(entry);
            if (!a.isRegularFile()) {
                return -1; // a link or directory with such a name is nobody's temp file
            }
            long age = nowMillis - a.lastModifiedTime().toMillis();
            if (age <= AGE.toMillis()) {
                if (dryRun) {
                    kept.keep(KeepReason.WRITER_AT_WORK, name, () -> "a writer may still be at work (changed "
                            + GuardReport.age(age) + " ago; leftovers go after " + AGE.toHours() + " h)");
                }
                return -1;
            }
            if (!dryRun) {
                remover.delete(entry);
            }
            report.line((dryRun ? "would delete leftover " : "deleted leftover ") + name + " (" + Sizes.bytes(a.size())
                    + ", last modified " + a.lastModifiedTime() + ")");
            return a.size();
        } catch (NoSuchFileException e) {
            return -1; // its writer finished (renamed it into place) or gave up since the directory was read
        } catch (IOException | RuntimeException e) {
            report.flush();
            LOG.error("cleanup: cannot {} the leftover {}: {}; check the directory's permissions", dryRun ? "examine"
                    : "delete", entry, CleanupPass.describe(e));
            return ERROR;
        }
    }
}
