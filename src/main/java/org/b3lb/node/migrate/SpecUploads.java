package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;

/**
 * The spec's recordings in its recording directory. A tar with its marker waits for upload in the
 * format b3lb-node uploads too, so it stays as it is. A tar without one was uploaded by the
 * spec's own rule (b3lb-push removes the marker only on HTTP 200; its cleaner deletes exactly such
 * tars): it gets b3lb-node's upload evidence naming that tar, dated at the tar's mtime as the
 * spec's cleaner counted, so the retention and disk guard treat it as they did.
 */
final class SpecUploads {

    record Found(List<RecordingFiles> pending, List<RecordingFiles> uploaded, List<RecordingFiles> busy) {
    }

    private SpecUploads() {
    }

    static Found scan(Path dir) throws IOException {
        List<RecordingFiles> pending = new ArrayList<>();
        List<RecordingFiles> uploaded = new ArrayList<>();
        List<RecordingFiles> busy = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new Found(pending, uploaded, busy);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + RecordingLayout.TAR)) {
            for (Path tar : ds) {
                String id = RecordingLayout.idOf(tar.getFileName().toString(), RecordingLayout.TAR);
                if (id == null || !Files.isRegularFile(tar, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                RecordingFiles f = new RecordingFiles(dir, id);
                if (Files.exists(f.marker(), LinkOption.NOFOLLOW_LINKS)) {
                    pending.add(f);
                } else if (Files.exists(f.lock(), LinkOption.NOFOLLOW_LINKS)) {
                    // a hook is writing this recording now: its marker may follow
                    busy.add(f);
                } else if (Evidence.uploadedAt(f, FileIdentity.of(tar)).isEmpty()) {
                    uploaded.add(f);
                }
            }
        }
        pending.sort((a, b) -> a.id().compareTo(b.id()));
        uploaded.sort((a, b) -> a.id().compareTo(b.id()));
        return new Found(pending, uploaded, busy);
    }

    static void recordUpload(RecordingFiles f) throws IOException {
        FileIdentity tar = FileIdentity.of(f.tar());
        Evidence.write(f, tar, Files.getLastModifiedTime(f.tar(), LinkOption.NOFOLLOW_LINKS).toInstant());
    }
}
