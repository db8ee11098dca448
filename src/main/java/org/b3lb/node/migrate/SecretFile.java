package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The node secret's file as the service reads it: the secret and one newline, mode 0640, group
 * kept from the file the package created (root:bigbluebutton), else bigbluebutton when that group
 * exists. The secret itself is never part of a message.
 */
final class SecretFile {

    private SecretFile() {
    }

    /** Whether the file already holds this secret (one trailing newline ignored, as the service reads it). */
    static boolean holds(Path file, String secret) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        String s = Files.readString(file, StandardCharsets.UTF_8);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.equals(secret);
    }

    static void write(Path file, String secret) throws IOException {
        boolean existed = Files.exists(file);
        AtomicFiles.write(file, (secret + "\n").getBytes(StandardCharsets.UTF_8), PosixFilePermissions.fromString("rw-r-----"));
        if (!existed && AtomicFiles.isRoot()) {
            try {
                GroupPrincipal bbb = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("bigbluebutton");
                Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(bbb);
            } catch (IOException e) {
                // no BBB group on this machine: root's file, as the package's postinst leaves it there
            }
        }
    }
}
