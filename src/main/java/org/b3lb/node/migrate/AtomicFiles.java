package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.b3lb.node.layout.WholeFile;

/**
 * Config and secret files written whole ({@link WholeFile}), with the target's owner and mode or the mode given.
 * The node secret's file is what the service reads: the secret and one newline, mode 0640, group kept from the
 * file the package created (root:bigbluebutton), else bigbluebutton when that group exists; never in a message.
 */
final class AtomicFiles {

    private AtomicFiles() {
    }

    /** @param mode the permissions to give, or null to keep the existing file's (0644 for a new one) */
    static void write(Path target, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        PosixFileAttributes old = Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                ? Files.readAttributes(target, PosixFileAttributes.class) : null;
        WholeFile.write(target, target.resolveSibling("." + target.getFileName() + ".migrate.tmp"), content, null, tmp -> {
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (old != null) {
                sameOwner(view, old);
            }
            view.setPermissions(mode != null ? mode : old != null ? old.permissions()
                    : PosixFilePermissions.fromString("rw-r--r--"));
        });
    }

    /** Whether the file already holds this secret (one trailing newline ignored, as the service reads it). */
    static boolean holdsSecret(Path file, String secret) throws IOException {
        return Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).replaceFirst("\n\\z", "").equals(secret);
    }

    static void writeSecret(Path file, String secret) throws IOException {
        boolean existed = Files.exists(file);
        write(file, (secret + "\n").getBytes(StandardCharsets.UTF_8), PosixFilePermissions.fromString("rw-r-----"));
        if (!existed && isRoot()) {
            try {
                Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(
                        file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("bigbluebutton"));
            } catch (IOException e) {
                // no BBB group on this machine: root's file, as the package's postinst leaves it there
            }
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
