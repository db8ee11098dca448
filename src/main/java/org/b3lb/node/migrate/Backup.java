package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The place migrate moves the old files to, /var/backups/b3lb-node/migrate-&lt;date&gt;/, each under
 * its original path (etc/systemd/system/b3lb-push.service, ...), so putting one back is a plain
 * {@code mv}. Created on the first move, never in a dry run.
 */
final class Backup {

    static final String BASE = "/var/backups/b3lb-node";

    private final NodeRoot root;
    private final Path dir;

    Backup(NodeRoot root, LocalDateTime now) {
        this.root = root;
        this.dir = root.at(BASE + "/migrate-" + now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    Path dir() {
        return dir;
    }

    /** Where {@code file} goes: its node path under the backup directory. */
    Path placeFor(Path file) {
        return dir.resolve(root.shown(file).substring(1));
    }

    /** Moves {@code file} here; Files.move copies and deletes across file systems, as mv does. */
    Path move(Path file) throws IOException {
        return Files.move(file, parentMade(file));
    }

    /** Copies {@code file} here, keeping it in place. */
    Path copy(Path file) throws IOException {
        return Files.copy(file, parentMade(file), StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path parentMade(Path file) throws IOException {
        Path to = placeFor(file);
        Files.createDirectories(to.getParent());
        return to;
    }
}
