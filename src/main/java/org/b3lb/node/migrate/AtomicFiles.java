package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files written whole: a hidden temp file beside the target, synced, given the target's owner and mode, renamed. */
final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * @param mode the permissions to give, or null to keep the existing file's (0644 for a new one)
     */
    static void write(Path target, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".migrate.tmp");
        Files.deleteIfExists(tmp);
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ch.write(ByteBuffer.wrap(content));
                ch.force(true);
            }
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                PosixFileAttributes old = Files.readAttributes(target, PosixFileAttributes.class);
                sameOwner(view, old);
                view.setPermissions(mode != null ? mode : old.permissions());
            } else {
                view.setPermissions(mode != null ? mode : PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void sameOwner(PosixFileAttributeView view, PosixFileAttributes like) throws IOException {
        try {
            view.setOwner(like.owner());
            view.setGroup(like.group());
        } catch (IOException e) {
            // only root may give a file away; a non-root run keeps its own user, as any editor would
            if (isRoot()) {
                throw e;
            }
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
