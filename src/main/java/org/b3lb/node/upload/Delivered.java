package org.b3lb.node.upload;

import org.b3lb.node.config.Sizes;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a 2xx: first the evidence naming the tar version sent (synced), then the marker, if
 * still the one the attempt started with; a crash between leaves both and the recording is sent
 * again. Hand-written because the marker must be compared and removed as one step: the hook may
 * rename a newer marker into place at any moment, which a check then a delete could remove.
 */
final class Delivered {

    private static final Logger LOG = LoggerFactory.getLogger(Delivered.class);

    private Delivered() {
    }

    /** @return false when the evidence could not be written: the marker stays, the recording is sent again */
    static boolean finish(RecordingFiles r, SentFiles files, RecordingSchedule schedule) {
        try {
            Evidence.write(r, files.tar().identity(), Instant.now());
        } catch (IOException e) {
            Duration wait = schedule.rejected(r.id(), "uploaded, but the evidence cannot be written", 0);
            LOG.error("{}: uploaded, but cannot write {} ({}); the marker stays and it is sent again in {}: let the service's "
                    + "user create files in {} (with systemd: ReadWritePaths= must list b3lb.recording-dir)", r.id(),
                    r.evidence().getFileName(), e.toString(), Sizes.duration(wait), r.marker().getParent());
            return false;
        }
        try {
            if (!removeMarker(r, files.marker())) {
                schedule.again(r.id());
                LOG.info("{}: {} was written anew during the send (a rebuild of the recording); it stays and the newer "
                        + "version is sent next", r.id(), r.marker().getFileName());
            }
        } catch (IOException e) {
            // the marker is the only record that this recording still needs sending, so it stays;
            // waiting max-delay keeps a read-only directory from re-sending it every poll
            Duration wait = schedule.rejected(r.id(), "uploaded, but the marker cannot be deleted", 0);
            LOG.error("{}: uploaded, but cannot delete {} ({}); it is sent again in {} unless the service's user may "
                    + "delete files in {} (with systemd: ReadWritePaths= must list b3lb.recording-dir)",
                    r.id(), r.marker(), e.toString(), Sizes.duration(wait), r.marker().getParent());
        }
        return true;
    }

    /** One rename takes the marker away: the one the attempt started with is deleted (true), a newer one linked back (false). */
    static boolean removeMarker(RecordingFiles r, FileIdentity started) throws IOException {
        Path taken = r.marker().resolveSibling(RecordingLayout.tempName(r.id(), RecordingLayout.MARKER,
                "sent" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)));
        try {
            Files.move(r.marker(), taken, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return true; // taken by another run (push --once, an admin) since
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + r.marker() + " atomically", e);
        }
        FileIdentity took;
        try {
            took = FileIdentity.of(taken);
        } catch (IOException e) {
            took = null;
        }
        if (started.sameVersion(took)) {
            Files.delete(taken);
            return true;
        }
        try {
            Files.createLink(r.marker(), taken);
        } catch (FileAlreadyExistsException e) {
            // an even newer marker is in place: it stands for the newest version
        } catch (IOException | UnsupportedOperationException e) {
            Files.move(taken, r.marker()); // no hard links here: without REPLACE_EXISTING it keeps a newer marker all the same
            return false;
        }
        Files.delete(taken);
        return false;
    }
}
