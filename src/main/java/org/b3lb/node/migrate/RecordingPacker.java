package org.b3lb.node.migrate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;
import org.b3lb.node.layout.WholeFile;

/**
 * The hook's packing under b3lb.protocol=b3lb, for a queued recording the hook does not pack: the
 * published presentation's contents at the tar's root ({@code tar -cf - -C <dir> .}, as B3LB's
 * pusher sends them) and its metadata.xml, each written as a temp file, synced and renamed.
 */
final class RecordingPacker {

    /** The hook's B3LB_FREE_SPACE_MARGIN default: room kept free beyond the tar. */
    static final long FREE_SPACE_MARGIN = 64L * 1024 * 1024;

    private RecordingPacker() {
    }

    static void pack(Path source, RecordingFiles into) throws IOException {
        Path tar = into.tar();
        long size = treeSize(source);
        long need = size + size / 10 + FREE_SPACE_MARGIN;
        long free = Files.getFileStore(tar.getParent()).getUsableSpace();
        if (free < need) {
            throw new IOException("not packed: " + free / 1048576 + " MiB free beside " + tar.getParent() + ", " + need / 1048576
                    + " MiB needed (size + 10 % + 64 MiB, the hook's rule); free space there and run migrate again");
        }
        Path tmp = tar.resolveSibling(RecordingLayout.tempName(into.id(), RecordingLayout.TAR, "migrate"));
        Files.deleteIfExists(tmp);
        try {
            SystemCommands.Result res = SystemCommands.exec(new ProcessBuilder("tar", "-cf", tmp.toString(), "-C", source.toString(), ".")
                    .redirectErrorStream(true), "", 1800);
            if (!res.ok()) {
                throw new IOException("tar of " + source + " failed: " + res.lastLine());
            }
            WholeFile.sync(tmp);
            WholeFile.write(into.meta(), into.meta().resolveSibling(RecordingLayout.tempName(into.id(), RecordingLayout.META, "migrate")),
                    Files.readAllBytes(source.resolve("metadata.xml")), null, null);
            Files.move(tmp, tar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> p.toFile().length()).sum();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
