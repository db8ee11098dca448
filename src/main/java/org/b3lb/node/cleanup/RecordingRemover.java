package org.b3lb.node.cleanup;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;
import org.b3lb.node.cleanup.RetentionRule.Look;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.b3lb.node.config.Sizes;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes one recording for the retention pass and the disk guard alike, in one place so both keep the
 * same safety checks: a last look right before the delete, then the tar, its {@code <id>.meta.xml},
 * its evidence and, when configured, BBB's copies.
 */
public final class RecordingRemover {

    /**
     * What happened to one recording.
     *
     * @param verdict    EXPIRED when it was removed; otherwise why it was kept at the last look
     * @param freedBytes tar and meta.xml sizes removed
     * @param look       the last look
     * @param also       what went with the tar, for the report line ("" when nothing)
     * @param errors     files that could not be removed after the tar was (its meta.xml)
     */
    public record Outcome(Verdict verdict, long freedBytes, Look look, String also, int errors) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(RecordingRemover.class);
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /** How a file is removed; a seam so a test can make one deletion fail whoever runs it. */
    @FunctionalInterface
    interface Deleter {
        void delete(Path file) throws IOException;
    }

    /** How the tar is renamed aside; a seam so a test can put a new version in place at that moment. */
    @FunctionalInterface
    interface Mover {
        void move(Path from, Path to) throws IOException;
    }

    private final Deleter deleter;
    private final Mover mover;
    private final BbbRecord bbbRecord;

    public RecordingRemover(CleanupConfig config) {
        this(Files::delete, config.deleteBbbRecording() ? config.bbbRecordCommand() : null);
    }

    /** @param bbbRecordCommand run as {@code <command> --delete <id>} after each removal; null: none */
    RecordingRemover(Deleter deleter, String bbbRecordCommand) {
        this(deleter, (from, to) -> Files.move(from, to, StandardCopyOption.ATOMIC_MOVE), bbbRecordCommand);
    }

    RecordingRemover(Deleter deleter, Mover mover, String bbbRecordCommand) {
        this.deleter = deleter;
        this.mover = mover;
        this.bbbRecord = bbbRecordCommand == null ? null : new BbbRecord(bbbRecordCommand);
    }

    static BasicFileAttributes attributes(Path entry) throws IOException {
        return Files.readAttributes(entry, BasicFileAttributes.class, NOFOLLOW);
    }

    /** Removes a file that is no recording (a dead writer's leftover), through the same seam. */
    void delete(Path file) throws IOException {
        deleter.delete(file);
    }

    /**
     * Looks once more and removes the recording only if {@code rule} still calls it expired: an
     * upload or a marker since the caller's look keeps it. The tar is first renamed aside and
     * deleted only if the renamed file is the version that was judged: a rebuild renamed into
     * place between the look and the delete is put back, never deleted.
     */
    Outcome removeIfStillExpired(RecordingFiles r, RetentionRule rule, long cutoffMillis) throws IOException {
        Look look = rule.look(r, cutoffMillis);
        if (look.verdict() != Verdict.EXPIRED) {
            return new Outcome(look.verdict(), 0, look, "", 0);
        }
        Path aside = r.dir().resolve(RecordingLayout.tempName(r.id(), RecordingLayout.TAR,
                "cleanup" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)));
        mover.move(r.tar(), aside);
        if (!FileIdentity.of(aside).sameVersion(look.tar())) {
            putBack(aside, r);
            return new Outcome(Verdict.RETAINED, 0, look, "", 0);
        }
        try {
            deleter.delete(aside);
        } catch (IOException | RuntimeException e) {
            putBack(aside, r);
            throw e;
        }
        long freed = look.tar().size();
        StringBuilder also = new StringBuilder();
        int errors = 0;
        // a new version being put in place now brings its own meta.xml: leave it. The hook's lock is
        // never ours to remove: only a run holding it may (see the hook's with_lock)
        if (Files.notExists(r.tar(), NOFOLLOW)) {
            long meta = removeBeside(r.meta(), r);
            if (meta >= 0) {
                freed += meta;
                also.append(" and ").append(r.id()).append(RecordingLayout.META);
            }
            errors += meta == -2 ? 1 : 0;
            errors += removeBeside(r.evidence(), r) == -2 ? 1 : 0;
        }
        if (bbbRecord != null) {
            also.append(bbbRecord.delete(r.id()) ? ", then " : ", then failed ").append(bbbRecord.command())
                    .append(" --delete ").append(r.id());
        }
        return new Outcome(Verdict.EXPIRED, freed, look, also.toString(), errors);
    }

    /** A version that is not the judged one goes back where it was, never over another. */
    private static void putBack(Path aside, RecordingFiles r) throws IOException {
        try {
            Files.createLink(r.tar(), aside);
            Files.delete(aside);
        } catch (FileAlreadyExistsException e) {
            LOG.error("cleanup: {} was replaced twice while it was being deleted; the version in between is kept as {};"
                    + " delete it by hand once the newer one is uploaded", r.tar(), aside);
        }
    }

    /** @return the size removed, -1 when there was none or it is left alone, -2 on an error */
    private long removeBeside(Path file, RecordingFiles r) {
        try {
            BasicFileAttributes m = attributes(file);
            if (!m.isRegularFile()) {
                LOG.warn("cleanup: {} is not a regular file (a symlink or directory) and is left alone", file);
                return -1;
            }
            deleter.delete(file);
            return m.size();
        } catch (NoSuchFileException e) {
            return -1; // the spec protocol writes no meta.xml; 1.0 wrote no evidence
        } catch (IOException | RuntimeException e) {
            LOG.error("cleanup: deleted {} but cannot delete {}: {}; delete it by hand", r.tar(), file, e.toString());
            return -2;
        }
    }

    /**
     * A dry run's removal, which changes nothing: reports {@code head (<size>tail} and what a removal
     * would take along, and returns the bytes it would free (the tar's and a regular meta.xml's).
     */
    long wouldRemove(RecordingFiles r, long tarSize, String head, String tail, CleanupPass.Report report) {
        long meta = -1;
        try {
            BasicFileAttributes m = attributes(r.meta());
            meta = m.isRegularFile() ? m.size() : -1;
        } catch (IOException e) {
            // none: nothing goes along
        }
        report.line(head + " (" + Sizes.bytes(tarSize) + tail + (meta >= 0 ? " and " + r.id() + RecordingLayout.META : "")
                + (bbbRecord == null ? "" : ", then run " + bbbRecord.command() + " --delete " + r.id()));
        return tarSize + Math.max(0, meta);
    }
}
