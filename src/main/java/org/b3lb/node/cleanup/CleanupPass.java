package org.b3lb.node.cleanup;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One retention cleanup pass over the recording directory: deletes each {@code <id>.tar} that
 * {@link RetentionRule} calls expired. The directory is streamed, never listed into memory, and
 * only its direct entries are looked at: no recursion, no path outside it,
 * no symlink followed. A failure on one entry is logged and counted and the pass goes on; nothing
 * is thrown to the route, so the next scheduled pass always runs.
 */
public final class CleanupPass implements Processor {

    /** How a file is removed; a seam so a test can make one deletion fail whoever runs it. */
    @FunctionalInterface
    public interface Deleter {
        void delete(Path file) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(CleanupPass.class);
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final double MIB = 1024.0 * 1024.0;
    private static final String MARKER_SUFFIX = RetentionRule.markerName("");

    private final Path dir;
    private final RetentionRule rule;
    private final boolean dryRun;
    private final CleanupMetrics metrics;
    private final Deleter deleter;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile CleanupResult last;

    public CleanupPass(CleanupConfig config, boolean dryRun, CleanupMetrics metrics) {
        this(config.recordingDir(), new RetentionRule(config.retention()), dryRun, metrics, Files::delete, Clock.systemUTC());
    }

    CleanupPass(Path dir, RetentionRule rule, boolean dryRun, CleanupMetrics metrics, Deleter deleter, Clock clock) {
        this.dir = dir;
        this.rule = rule;
        this.dryRun = dryRun;
        this.metrics = metrics;
        this.deleter = deleter;
        this.clock = clock;
    }

    /** The scheduled route's step: one pass, its summary in the log and as the message body. */
    @Override
    public void process(Exchange exchange) {
        CleanupResult r = run();
        if (r == null) {
            return;
        }
        if (r.errors() > 0) {
            LOG.warn(r.summary());
        } else {
            LOG.info(r.summary());
        }
        exchange.getMessage().setBody(r.summary());
    }

    /** The last finished pass, or null before the first. */
    public CleanupResult lastResult() {
        return last;
    }

    /**
     * Runs one pass and returns what it did; logs each deletion and error but not the summary.
     *
     * @return null when another pass of this instance is still running (it is then skipped, not queued)
     */
    public CleanupResult run() {
        if (!running.compareAndSet(false, true)) {
            LOG.warn("cleanup: the previous pass over {} is still running; skipping this one", dir);
            return null;
        }
        try {
            CleanupResult r = pass();
            last = r;
            metrics.record(r);
            return r;
        } finally {
            running.set(false);
        }
    }

    private CleanupResult pass() {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Tally t = new Tally();
        Set<String> marked = markedIds(t);
        if (marked != null) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    consider(entry, marked, started, t);
                }
            } catch (IOException | DirectoryIteratorException e) {
                unreadable(e, t);
            }
        }
        return new CleanupResult(dryRun, t.deleted, t.freedBytes, t.pending, t.errors, started,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The ids that have a {@code <id>.ready} marker of any kind, from a first read of the directory.
     * Asking the filesystem about each tar's marker instead costs a thrown NoSuchFileException per
     * uploaded tar, which made a pass over 100,000 entries slower than the Python script. The set
     * holds only recordings awaiting upload, normally a handful, not the directory. It only serves
     * to classify: before a deletion the marker is asked for again on the filesystem.
     *
     * @return null when the directory cannot be read (already logged and counted)
     */
    private Set<String> markedIds(Tally t) {
        Set<String> ids = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = fileName(entry);
                if (name.endsWith(MARKER_SUFFIX)) {
                    ids.add(name.substring(0, name.length() - MARKER_SUFFIX.length()));
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            unreadable(e, t);
            return null;
        }
        return ids;
    }

    private void unreadable(Exception e, Tally t) {
        t.errors++;
        LOG.error("cleanup: cannot read recording directory {}: {}; check that it exists and that the service user"
                + " may list it (b3lb.recording-dir); the next pass tries again", dir, describe(e));
    }

    private void consider(Path entry, Set<String> marked, Instant now, Tally t) {
        String name = fileName(entry);
        String id = RetentionRule.recordingId(name);
        if (id == null) {
            return; // markers, temp files, other names: not even a stat for them
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(entry, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return; // removed since the directory was read: nothing left to do
        } catch (IOException e) {
            t.errors++;
            LOG.error("cleanup: cannot read attributes of {}: {}; it is kept; check its permissions", entry, describe(e));
            return;
        }
        Verdict v = rule.judge(name, attrs, !marked.contains(id), now);
        if (v == Verdict.PENDING) {
            t.pending++;
        }
        if (v != Verdict.EXPIRED) {
            return;
        }
        if (dryRun) {
            LOG.info("would delete {} ({})", name, mib(attrs.size()));
            t.deleted++;
            t.freedBytes += attrs.size();
            return;
        }
        delete(entry, name, dir.resolve(RetentionRule.markerName(id)), now, t);
    }

    private void delete(Path entry, String name, Path marker, Instant now, Tally t) {
        try {
            // look again right before deleting: an upload may have started (the marker is back), or
            // the entry may have been replaced or touched since the first look; all of those keep it
            BasicFileAttributes again = Files.readAttributes(entry, BasicFileAttributes.class, NOFOLLOW);
            Verdict v = rule.judge(name, again, Files.notExists(marker, NOFOLLOW), now);
            if (v == Verdict.PENDING) {
                t.pending++;
            }
            if (v != Verdict.EXPIRED) {
                LOG.info("cleanup: kept {}: it changed during the pass ({})", name, v.name().toLowerCase(Locale.ROOT));
                return;
            }
            // a path inside the directory; deleting a path never follows a symlink, and a directory
            // was excluded above
            deleter.delete(entry);
            t.deleted++;
            t.freedBytes += again.size();
            LOG.info("deleted {} ({}, last modified {})", name, mib(again.size()), again.lastModifiedTime());
        } catch (NoSuchFileException e) {
            // someone else removed it first: the goal is met, and it was not us who freed the space
        } catch (IOException | RuntimeException e) {
            t.errors++;
            LOG.error("cleanup: cannot delete {}: {}; it is kept and retried next pass; check the directory's"
                    + " permissions and the file's attributes (lsattr)", entry, describe(e));
        }
    }

    /**
     * The entry's name. Entries of a DirectoryStream are always {@code dir/name}; cutting the
     * string is cheaper than {@code getFileName()}, which builds a second Path for every entry.
     */
    private static String fileName(Path entry) {
        String s = entry.toString();
        return s.substring(s.lastIndexOf('/') + 1);
    }

    /** One decimal without String.format: a dry run over a big backlog logs this once per recording. */
    private static String mib(long bytes) {
        return Math.round(bytes * 10 / MIB) / 10.0 + " MiB";
    }

    private static String describe(Exception e) {
        Throwable c = e instanceof DirectoryIteratorException d ? d.getCause() : e;
        String msg = c.getMessage();
        return c.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    private static final class Tally {
        long deleted;
        long freedBytes;
        long pending;
        long errors;
    }
}
