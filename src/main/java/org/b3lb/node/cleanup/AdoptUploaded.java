package org.b3lb.node.cleanup;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.HookCommand;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;

/**
 * Upload evidence for the tars an older uploader sent: {@code b3lb-node adopt-uploaded [--dry-run]},
 * run once by the package on an upgrade from 1.0 (which wrote no evidence, set an uploaded tar's
 * mtime to the upload and deleted its marker), and {@code migrate} for the spec's scripts (whose
 * b3lb-push removes the marker only on HTTP 200). Each valid regular {@code <id>.tar} with neither
 * marker nor evidence gets evidence dated by its mtime, so retention and disk guard count from where
 * the old cleaner did; any evidence, even for another version, means b3lb-node has seen it, so a
 * second run finds nothing. Only for the upgrade: later it would call a tar the hook failed to mark
 * "uploaded". Tars beside a hook's lock are left alone, and by {@code adopt-uploaded} those changed
 * within {@link HookCommand#MARKS_WITHIN}: the hook may be about to mark them.
 */
public final class AdoptUploaded {

    /**
     * What a scan found, by id.
     *
     * @param pending   tars with a marker: they wait for upload as they are
     * @param adoptable tars to record as uploaded
     * @param busy      tars a hook may be writing or marking now
     */
    public record Found(int pending, List<RecordingFiles> adoptable, List<RecordingFiles> busy) {
    }

    private AdoptUploaded() {
    }

    /**
     * @param settledBefore tars changed at or after this moment are busy; null: only a lock makes a tar busy
     * @param onError       a tar that could not be read (the scan goes on)
     * @throws IOException when the directory cannot be read
     */
    public static Found scan(Path dir, Instant settledBefore, BiConsumer<Path, Exception> onError) throws IOException {
        int pending = 0;
        List<RecordingFiles> adoptable = new ArrayList<>();
        List<RecordingFiles> busy = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + RecordingLayout.TAR)) {
            for (Path entry : entries) {
                String id = RecordingLayout.idOf(entry.getFileName().toString(), RecordingLayout.TAR);
                RecordingFiles r = id == null ? null : new RecordingFiles(dir, id);
                try {
                    if (r == null || !FileIdentity.of(r.tar()).regular()) {
                        continue;
                    }
                    if (!Files.notExists(r.marker(), LinkOption.NOFOLLOW_LINKS)) {
                        pending++;
                    } else if (!Files.notExists(r.evidence(), LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    } else if (!Files.notExists(r.lock(), LinkOption.NOFOLLOW_LINKS) || settledBefore != null
                            && !Files.getLastModifiedTime(r.tar(), LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(settledBefore)) {
                        busy.add(r);
                    } else {
                        adoptable.add(r);
                    }
                } catch (NoSuchFileException e) {
                    // deleted or renamed since the listing
                } catch (IOException | RuntimeException e) {
                    onError.accept(entry, e);
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        adoptable.sort(Comparator.comparing(RecordingFiles::id));
        return new Found(pending, adoptable, busy);
    }

    /** Writes the evidence for the tar as it is now, dated at its mtime. */
    public static void adopt(RecordingFiles r) throws IOException {
        FileIdentity tar = FileIdentity.of(r.tar());
        Evidence.write(r, tar, Instant.ofEpochSecond(0, tar.mtimeNanos()));
    }

    /** @return 0, or 1 when the directory or a tar could not be read or an evidence written */
    public static int run(Path dir, boolean dryRun, Clock clock, PrintStream out, PrintStream err) {
        int[] errors = {0};
        BiConsumer<Path, Exception> failed = (tar, e) -> {
            errors[0]++;
            err.println("b3lb-node: cannot record upload evidence for " + tar + ": " + e
                    + "; check that the service user may write in " + dir);
        };
        Found found;
        try {
            found = scan(dir, clock.instant().minus(HookCommand.MARKS_WITHIN), failed);
        } catch (IOException e) {
            err.println("b3lb-node: cannot read the recording directory " + dir + ": " + CleanupPass.describe(e)
                    + "; check b3lb.recording-dir and run this as the service user");
            return 1;
        }
        int adopted = 0;
        for (RecordingFiles r : found.adoptable()) {
            try {
                if (dryRun) {
                    out.println("would record upload evidence for " + r.id() + RecordingLayout.TAR + " (uploaded "
                            + Files.getLastModifiedTime(r.tar(), LinkOption.NOFOLLOW_LINKS).toInstant() + ")");
                } else {
                    adopt(r);
                }
                adopted++;
            } catch (NoSuchFileException e) {
                // deleted since the scan
            } catch (IOException | RuntimeException e) {
                failed.accept(r.tar(), e);
            }
        }
        out.println("b3lb-node: " + (dryRun ? "would record" : "recorded") + " upload evidence for " + adopted
                + " recording(s) uploaded by 1.0 (their tar's mtime is the upload time)");
        if (!found.busy().isEmpty()) {
            out.println("b3lb-node: left alone " + found.busy().size() + " tar(s) without a marker changed in the last "
                    + HookCommand.MARKS_WITHIN.toMinutes() + " minutes (the hook may be about to mark them);"
                    + " b3lb-node status counts any that stay unmarked");
        }
        return errors[0] == 0 ? 0 : 1;
    }
}
