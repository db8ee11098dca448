package org.b3lb.node.upload;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recording directory as the upload route reads it. {@link #list} reads it one entry at a time,
 * hands on only markers that are regular files with a valid id (read without following links, never
 * opened) and stops when the caller has no room. Hand-written because Camel 4.18's file consumer
 * lists with {@code File.listFiles}, every entry in a {@code String[]} and a {@code File[]}: 200,000
 * entries of 210 characters took more than the unit's 96 MiB heap (bench/listing-heap.sh).
 *
 * <p>Asked by {@link PollGate} too: says once (not every poll) when the recording directory is
 * missing, not a directory or unreadable, and once per marker the route will not take (a name
 * that breaks the hook's id rule, a hidden marker, one that is no regular file), and counts those markers for
 * {@code b3lb_skipped_markers}. Hand-written because Camel's file consumer skips such entries
 * silently, and an unreadable directory is an empty poll to it.
 */
public final class MarkerAudit {

    private static final Logger LOG = LoggerFactory.getLogger(MarkerAudit.class);
    private static final long RESCAN_NANOS = TimeUnit.MINUTES.toNanos(1);
    /**
     * Names remembered to log each once (a few MiB at most, names being at most 255 bytes); beyond this
     * further ones are neither logged nor counted, so a directory full of odd names cannot fill the heap.
     */
    private static final int REMEMBERED = 10_000;
    private static final String BAD_ID = "its id breaks the hook's rule (letters, digits, '.', '_' and '-', not starting with '.', '_' or '-', at most "
            + RecordingLayout.MAX_ID_LENGTH + " characters)";

    final Path dir;
    private final Map<String, Boolean> skipped = new ConcurrentHashMap<>();
    private final Set<String> stillThere = ConcurrentHashMap.newKeySet();
    private volatile String dirProblem;
    private volatile long lastScan = System.nanoTime() - RESCAN_NANOS;

    public MarkerAudit(Path dir) {
        this.dir = dir;
    }

    /** Number of markers the route leaves alone: {@code b3lb_skipped_markers}. */
    public int skippedCount() {
        return skipped.size();
    }

    void skipped(String name, String why) {
        if (skipped.containsKey(name)) {
            stillThere.add(name);
        } else if (skipped.size() < REMEMBERED && skipped.putIfAbsent(name, Boolean.TRUE) == null) {
            stillThere.add(name);
            LOG.warn("marker \"{}\" in {} is not uploaded: {}; rename the recording's files or remove them", RecordingFiles.printable(name),
                    dir, why);
        }
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
                    continue; // tars, metadata, evidence, temp files, the hook's locks; hidden markers: the scan's
                }
                if (RecordingLayout.idOf(name, RecordingLayout.MARKER) == null) {
                    skipped(name, BAD_ID);
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
        BasicFileAttributes a = lstat(entry);
        if (a == null) {
            return false; // gone since the directory was read: nothing to take
        }
        if (!a.isRegularFile() && !a.isDirectory()) { // a directory is reported by the scan
            skipped(name, notRegular(a));
        }
        return a.isRegularFile();
    }

    /** Why a marker that is not a regular file (read without following links) is left alone. */
    private static String notRegular(BasicFileAttributes a) {
        return (a.isSymbolicLink() ? "it is a symbolic link" : "it is not a regular file (a FIFO, socket or device)")
                + ", and the service opens only the regular files the hook writes";
    }

    /** Whether a poll may list the directory; says so once when that changes. */
    boolean dirReadable() {
        String problem = RecordingLayout.dirProblem(dir);
        if (!Objects.equals(problem, dirProblem)) {
            dirProblem = problem;
            if (problem == null) {
                LOG.info("recording directory {} is readable again; uploads resume", dir);
            } else {
                LOG.error("recording directory {} {}; nothing is uploaded until it is fixed", dir, problem);
            }
        }
        return problem == null;
    }

    /** Called when a poll lists the directory anyway: looks for what the listing will skip, at most once a minute. */
    void listing() {
        if (System.nanoTime() - lastScan >= RESCAN_NANOS) {
            lastScan = System.nanoTime();
            scan();
        }
    }

    /** Markers the listing never shows the route: hidden ones, directories, links, FIFOs, bad ids. */
    private void scan() {
        stillThere.clear();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + RecordingLayout.MARKER)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    skipped(name, "its name starts with a dot (hidden)");
                } else if (RecordingLayout.idOf(name, RecordingLayout.MARKER) == null) {
                    skipped(name, BAD_ID);
                } else {
                    BasicFileAttributes a = lstat(p);
                    if (a != null && a.isDirectory()) {
                        skipped(name, "it is a directory, not a file");
                    } else if (a != null && !a.isRegularFile()) {
                        skipped(name, notRegular(a));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot list {}: {}", dir, e.toString());
            return;
        }
        skipped.keySet().retainAll(stillThere);
    }

    /** What {@code p} itself is (a link is not followed); null when it is gone since it was listed, or unreadable. */
    static BasicFileAttributes lstat(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    void pollFailed(Exception cause) {
        LOG.warn("polling {} failed: {}; trying again at the next poll", dir, cause.toString());
    }
}
