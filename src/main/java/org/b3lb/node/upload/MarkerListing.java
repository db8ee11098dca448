package org.b3lb.node.upload;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.b3lb.node.layout.RecordingLayout;

/**
 * Reads the recording directory one entry at a time, hands on only markers that are regular files
 * with a valid id (read without following links, never opened; anything else named like a marker
 * is reported once) and stops when the caller has no room. Hand-written because Camel 4.18's file
 * consumer lists with {@code File.listFiles}, every entry in a {@code String[]} and a {@code File[]}:
 * 200,000 entries of 210 characters took more than the unit's 96 MiB heap (bench/listing-heap.sh).
 */
final class MarkerListing {

    private final MarkerAudit audit;

    MarkerListing(MarkerAudit audit) {
        this.audit = audit;
    }

    /**
     * @param room  asked before each marker is handed on; false ends the listing
     * @param offer takes one marker (a regular file, not hidden, with a valid id)
     * @return true when the whole directory was read, false when it stopped for want of room
     * @throws IOException when the directory cannot be opened or read to its end
     */
    boolean list(Path dir, BooleanSupplier room, Consumer<Path> offer) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.endsWith(RecordingLayout.MARKER) || name.startsWith(".")) {
                    continue; // tars, metadata, evidence, temp files, the hook's locks; hidden markers: MarkerAudit
                }
                if (RecordingLayout.idOf(name, RecordingLayout.MARKER) == null) {
                    audit.skipped(name, MarkerAudit.BAD_ID);
                    continue;
                }
                if (regularFile(entry, name)) {
                    if (!room.getAsBoolean()) {
                        return false;
                    }
                    offer.accept(entry);
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        return true;
    }

    private boolean regularFile(Path entry, String name) {
        BasicFileAttributes a = MarkerAudit.lstat(entry);
        if (a == null) {
            return false; // gone since the directory was read: nothing to take
        }
        if (!a.isRegularFile() && !a.isDirectory()) { // a directory is reported by MarkerAudit's own scan
            audit.skipped(name, MarkerAudit.notRegular(a));
        }
        return a.isRegularFile();
    }
}
