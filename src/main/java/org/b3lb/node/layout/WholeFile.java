package org.b3lb.node.layout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A small file of the recording directory written whole and durably, as the hook writes its own:
 * a hidden temp file beside the target, synced, renamed over the target, the directory synced. A
 * crash leaves the old file or the new one, never a part; after a return the new one survives a
 * power cut. The service's evidence and migrate's markers, metadata, config and secret go through here.
 */
public final class WholeFile {

    private WholeFile() {
    }

    /** What is done to the temp file before the rename: its owner and mode. */
    @FunctionalInterface
    public interface Prepare {
        void apply(Path tmp) throws IOException;
    }

    /**
     * @param tmp     the temp file, in the target's directory; a leftover of that name is replaced
     * @param mtime   the target's mtime, set on the temp before the rename so the file never shows
     *                another; null keeps the moment of writing
     * @param prepare null, or what gives the temp its owner and mode; such a temp starts readable by its
     *                owner only, so a secret is never readable by others, not even for a moment
     */
    public static void write(Path target, Path tmp, byte[] content, FileTime mtime, Prepare prepare) throws IOException {
        Files.deleteIfExists(tmp);
        try {
            FileAttribute<?>[] attrs = prepare == null ? new FileAttribute<?>[0]
                    : new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), attrs)) {
                ch.write(ByteBuffer.wrap(content));
                ch.force(true);
            }
            if (mtime != null) {
                Files.setLastModifiedTime(tmp, mtime);
            }
            if (prepare != null) {
                prepare.apply(tmp);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        sync(target.getParent());
    }

    /** fsync of a file or directory; not every file system lets a directory be synced, and a rename is atomic all the same. */
    public static void sync(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // nothing more to do: the data is written, only its durability is not confirmed
        }
    }
}
