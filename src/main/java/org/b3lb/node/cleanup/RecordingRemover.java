package org.b3lb.node.cleanup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.BooleanSupplier;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes one recording for the retention pass and the disk guard alike: the last look at the
 * tar and its marker right before the delete, then the tar, its {@code <id>.meta.xml} and, when
 * configured, BBB's copies. One place, so both cleanups keep exactly the same safety checks.
 */
public final class RecordingRemover {

    /**
     * What happened to one recording.
     *
     * @param verdict    EXPIRED when it was removed; otherwise why it was kept at the last look
     * @param freedBytes tar and meta.xml sizes removed
     * @param tar        the tar's attributes at the last look
     * @param also       what went with the tar, for the report line ("" when nothing)
     * @param errors     files that could not be removed after the tar was (its meta.xml)
     */
    public record Outcome(Verdict verdict, long freedBytes, BasicFileAttributes tar, String also, int errors) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(RecordingRemover.class);
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    static final String META = ".meta.xml";

    private final CleanupPass.Deleter deleter;
    private final BbbRecord bbbRecord;

    public RecordingRemover(RemovalConfig config) {
        this(Files::delete, config);
    }

    RecordingRemover(CleanupPass.Deleter deleter, RemovalConfig config) {
        this.deleter = deleter;
        this.bbbRecord = config.deleteBbbRecording() ? new BbbRecord(config.bbbRecordCommand()) : null;
    }

    /** True only when the marker is known not to exist, so an unknown state keeps the recording. */
    static BooleanSupplier markerAbsent(Path dir, String id) {
        return () -> Files.notExists(dir.resolve(RetentionRule.markerName(id)), NOFOLLOW);
    }

    static BasicFileAttributes attributes(Path entry) throws IOException {
        return Files.readAttributes(entry, BasicFileAttributes.class, NOFOLLOW);
    }

    /**
     * Looks at the tar and its marker once more, and removes the recording only if {@code rule}
     * still calls it expired against {@code cutoffMillis}: the upload route sets the mtime to the
     * upload time before it removes the marker, so an upload that finished since the caller's
     * first look shows here as a young tar, and a recording marked since is kept too.
     */
    Outcome removeIfStillExpired(Path dir, Path tar, String id, RetentionRule rule, long cutoffMillis) throws IOException {
        BasicFileAttributes a = attributes(tar);
        Verdict v = rule.judgeRecording(a, markerAbsent(dir, id), cutoffMillis);
        if (v != Verdict.EXPIRED) {
            return new Outcome(v, 0, a, "", 0);
        }
        // a path inside the directory: deleting it removes this entry, never a link's target
        deleter.delete(tar);
        long freed = a.size();
        StringBuilder also = new StringBuilder();
        int errors = 0;
        Path meta = dir.resolve(id + META);
        try {
            BasicFileAttributes m = attributes(meta);
            if (m.isRegularFile()) {
                deleter.delete(meta);
                freed += m.size();
                also.append(" and ").append(id).append(META);
            } else {
                LOG.warn("cleanup: {} is not a regular file (a symlink or directory) and is left alone", meta);
            }
        } catch (NoSuchFileException e) {
            // the spec protocol writes none
        } catch (IOException e) {
            errors++;
            LOG.error("cleanup: deleted {} but cannot delete {}: {}; delete it by hand", tar, meta, e.toString());
        }
        if (bbbRecord != null) {
            also.append(bbbRecord.delete(id) ? ", then " : ", then failed ").append(bbbRecord.command())
                    .append(" --delete ").append(id);
        }
        return new Outcome(v, freed, a, also.toString(), errors);
    }

    /** What a real removal would take along with the tar, for a dry run's report line; never changes anything. */
    String wouldAlso(Path dir, String id) {
        StringBuilder also = new StringBuilder();
        try {
            if (attributes(dir.resolve(id + META)).isRegularFile()) {
                also.append(" and ").append(id).append(META);
            }
        } catch (IOException e) {
            // none, or unreadable: the real pass reports it
        }
        if (bbbRecord != null) {
            also.append(", then run ").append(bbbRecord.command()).append(" --delete ").append(id);
        }
        return also.toString();
    }

    /** Size of the regular {@code <id>.meta.xml} a removal would take along, 0 when there is none. */
    long metaSize(Path dir, String id) {
        try {
            BasicFileAttributes m = attributes(dir.resolve(id + META));
            return m.isRegularFile() ? m.size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
