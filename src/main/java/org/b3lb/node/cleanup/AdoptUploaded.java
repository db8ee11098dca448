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
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.HookCommand;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;

/**
 * {@code b3lb-node adopt-uploaded [--dry-run]}, run once by the package on an upgrade from 1.0:
 * 1.0 wrote no evidence; it set an uploaded tar's mtime to the moment of the upload and deleted
 * its marker, and its cleanup deleted every old tar without a marker. Each valid {@code <id>.tar}
 * with neither marker nor evidence gets its evidence, dated by the tar's mtime, so 1.1 deletes
 * what 1.0 would have and keeps counting the retention from the same moment. A second run finds
 * nothing: every tar it would adopt now has evidence.
 *
 * <p>Run later than the upgrade it would turn a tar the hook failed to mark into an "uploaded"
 * one, so it is meant for the upgrade only. Tars changed within {@link HookCommand#MARKS_WITHIN}
 * are left alone: the hook may be about to write their marker.
 */
public final class AdoptUploaded {

    private AdoptUploaded() {
    }

    /** @return 0, or 1 when the directory or a tar could not be read or an evidence written */
    public static int run(Path dir, boolean dryRun, Clock clock, PrintStream out, PrintStream err) {
        long settledBefore = clock.instant().minus(HookCommand.MARKS_WITHIN).toEpochMilli();
        int adopted = 0;
        int recent = 0;
        int errors = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String id = RecordingLayout.idOf(entry.getFileName().toString(), RecordingLayout.TAR);
                if (id == null) {
                    continue;
                }
                RecordingFiles r = new RecordingFiles(dir, id);
                try {
                    FileIdentity tar = FileIdentity.of(r.tar());
                    // any evidence, even for another version, means 1.1 has seen this recording already
                    if (!tar.regular() || !Files.notExists(r.marker(), LinkOption.NOFOLLOW_LINKS)
                            || !Files.notExists(r.evidence(), LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    Instant uploadedAt = Instant.ofEpochSecond(0, tar.mtimeNanos());
                    if (uploadedAt.toEpochMilli() >= settledBefore) {
                        recent++;
                        continue;
                    }
                    if (dryRun) {
                        out.println("would record upload evidence for " + id + RecordingLayout.TAR + " (uploaded "
                                + uploadedAt + ")");
                    } else {
                        Evidence.write(r, tar, uploadedAt);
                    }
                    adopted++;
                } catch (NoSuchFileException e) {
                    // deleted or renamed since the listing
                } catch (IOException | RuntimeException e) {
                    errors++;
                    err.println("b3lb-node: cannot record upload evidence for " + r.tar() + ": " + e
                            + "; check that the service user may write in " + dir);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            err.println("b3lb-node: cannot read the recording directory " + dir + ": " + CleanupPass.describe(e)
                    + "; check b3lb.recording-dir and run this as the service user");
            return 1;
        }
        out.println("b3lb-node: " + (dryRun ? "would record" : "recorded") + " upload evidence for " + adopted
                + " recording(s) uploaded by 1.0 (their tar's mtime is the upload time)");
        if (recent > 0) {
            out.println("b3lb-node: left alone " + recent + " tar(s) without a marker changed in the last "
                    + HookCommand.MARKS_WITHIN.toMinutes() + " minutes (the hook may be about to mark them);"
                    + " b3lb-node status counts any that stay unmarked");
        }
        return errors == 0 ? 0 : 1;
    }
}
