package org.b3lb.node.cleanup;

import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Which directory entries the cleanup may delete: a regular file (attributes read without
 * following links) named {@code <id>.tar}, last modified longer ago than the retention, whose
 * {@code <id>.ready} marker is absent. Anything the rule does not positively recognise is kept.
 *
 * <p>The age is the tar's mtime because the upload route sets it to the moment of a successful
 * upload: retention then counts from the upload, as the spec intended, and a recording uploaded
 * late after an outage is still kept the full period.
 */
public final class RetentionRule {

    private static final String TAR = ".tar";
    private static final boolean[] ID_CHAR = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            ID_CHAR[c] = true;
            ID_CHAR[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            ID_CHAR[c] = true;
        }
        ID_CHAR['-'] = true;
        ID_CHAR['_'] = true;
        ID_CHAR['.'] = true;
    }

    /** What the rule decided about one entry. */
    public enum Verdict {
        /** not a file the cleanup owns: wrong name, symlink, directory, device ... */
        NOT_A_RECORDING,
        /** a recording younger than the retention */
        RETAINED,
        /** a recording past the retention whose marker says it is not uploaded yet (or an upload is in progress) */
        PENDING,
        /** a recording the cleanup deletes */
        EXPIRED
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

    /**
     * The ids the push hook accepts (b3lb-push-hook.rb's VALID_ID): a letter or digit, then letters,
     * digits, {@code .}, {@code _} and {@code -}. BBB record ids ({@code <sha1>-<epoch ms>}) fit with
     * room to spare; every tar the hook can write is one the cleanup can remove, or the disk would
     * fill with recordings nobody deletes. Names with spaces or a leading dot, dash or underscore
     * (rsync and editor temp files, hidden files) are never ours. A loop, not a regex: it runs for
     * every entry of a directory that can hold 100,000.
     *
     * @return the recording id of a file named {@code <id>.tar}, or null for any other name
     */
    public static String recordingId(String fileName) {
        int n = fileName.length() - TAR.length();
        if (n <= 0 || !fileName.endsWith(TAR)) {
            return null;
        }
        char first = fileName.charAt(0);
        if (first == '-' || first == '_' || first == '.') {
            return null;
        }
        for (int i = 0; i < n; i++) {
            char c = fileName.charAt(i);
            if (c >= ID_CHAR.length || !ID_CHAR[c]) {
                return null;
            }
        }
        return fileName.substring(0, n);
    }

    /** The marker BBB's hook creates for a recording that still has to be uploaded. */
    public static String markerName(String recordingId) {
        return recordingId + ".ready";
    }

    /** Files last modified before this moment (epoch milliseconds) are past the retention at {@code now}. */
    public long cutoffMillis(Instant now) {
        return now.toEpochMilli() - retention.toMillis();
    }

    /** True when a file last modified at {@code mtime} is older than the retention at {@code now}. */
    public boolean expired(FileTime mtime, Instant now) {
        return mtime.toMillis() < cutoffMillis(now);
    }

    /**
     * @param attributes   the entry's attributes, read with {@code NOFOLLOW_LINKS}
     * @param markerAbsent asked only for a recording past the retention; true only when the marker
     *                     is known not to exist, so an unknown state keeps the recording
     */
    public Verdict judge(String fileName, BasicFileAttributes attributes, BooleanSupplier markerAbsent, Instant now) {
        if (recordingId(fileName) == null) {
            return Verdict.NOT_A_RECORDING;
        }
        return judgeRecording(attributes, markerAbsent, cutoffMillis(now));
    }

    /**
     * {@link #judge} for an entry whose name is already known to be {@code <id>.tar}, against a
     * cutoff computed once per pass: a pass calls this for every tar of a large directory.
     */
    Verdict judgeRecording(BasicFileAttributes attributes, BooleanSupplier markerAbsent, long cutoffMillis) {
        if (!attributes.isRegularFile() || attributes.isSymbolicLink()) {
            return Verdict.NOT_A_RECORDING;
        }
        // a clock step or a copied file can leave an mtime in the future: that is young, not old
        if (attributes.lastModifiedTime().toMillis() >= cutoffMillis) {
            return Verdict.RETAINED;
        }
        return markerAbsent.getAsBoolean() ? Verdict.EXPIRED : Verdict.PENDING;
    }
}
