package org.b3lb.node.cleanup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;

/**
 * Which recordings the cleanup and the disk guard may delete: a regular {@code <id>.tar} (links not
 * followed) whose {@link Evidence} names the tar as it is now and is older than the retention, and
 * with no {@code <id>.ready} marker. A missing marker alone proves nothing (the hook may have failed
 * to write it): such a tar is {@link Verdict#UNMARKED} and kept. The age is the evidence's mtime,
 * the 2xx: retention counts from the upload, as the spec intended, so a late upload is kept the full period.
 */
public final class RetentionRule {

    /** What the rule decided about one entry. */
    public enum Verdict {
        /** not a file the cleanup owns: symlink, directory, device ... */
        NOT_A_RECORDING,
        /** uploaded less than the retention ago, or marked and younger than the retention */
        RETAINED,
        /** past the retention with a marker: not uploaded yet (or an upload is in progress) */
        PENDING,
        /** no marker and no evidence for this version: nothing will upload it, nothing may delete it */
        UNMARKED,
        /** uploaded (evidence for this very tar) longer ago than the retention, no marker: deleted */
        EXPIRED
    }

    /** One look: the tar as it was, and the moment of the 2xx when the evidence names this tar (else null). */
    public record Look(Verdict verdict, FileIdentity tar, Instant uploadedAt) {
    }

    private final Duration retention;

    public RetentionRule(Duration retention) {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative: " + retention);
        }
        this.retention = retention;
    }

    public Duration retention() {
        return retention;
    }

    /** Evidence and markers dated before this moment (epoch milliseconds) are past the retention at {@code now}. */
    public long cutoffMillis(Instant now) {
        return now.toEpochMilli() - retention.toMillis();
    }

    /**
     * Looks at the tar, its evidence and its marker, in the order that costs least: a young
     * upload needs no look at the marker. A marker present, or one that cannot be told absent
     * (a dangling link, an unreadable directory), keeps the recording.
     *
     * @param cutoffMillis from {@link #cutoffMillis}; {@code Long.MAX_VALUE} makes every upload old
     *                     (the disk guard's view)
     * @throws java.nio.file.NoSuchFileException when the tar is gone
     */
    public Look look(RecordingFiles r, long cutoffMillis) throws IOException {
        FileIdentity tar = FileIdentity.of(r.tar());
        if (!tar.regular()) {
            return new Look(Verdict.NOT_A_RECORDING, tar, null);
        }
        Instant uploadedAt = Evidence.uploadedAt(r, tar).orElse(null);
        // a clock step or a copied file can leave a time in the future: that is young, not old
        if (uploadedAt != null && uploadedAt.toEpochMilli() >= cutoffMillis) {
            return new Look(Verdict.RETAINED, tar, uploadedAt);
        }
        if (!Files.notExists(r.marker(), LinkOption.NOFOLLOW_LINKS)) {
            boolean old = TimeUnit.NANOSECONDS.toMillis(tar.mtimeNanos()) < cutoffMillis;
            return new Look(old || uploadedAt != null ? Verdict.PENDING : Verdict.RETAINED, tar, uploadedAt);
        }
        return new Look(uploadedAt == null ? Verdict.UNMARKED : Verdict.EXPIRED, tar, uploadedAt);
    }
}
