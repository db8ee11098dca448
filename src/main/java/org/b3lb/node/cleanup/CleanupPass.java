package org.b3lb.node.cleanup;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.b3lb.node.cleanup.RetentionRule.Look;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.b3lb.node.config.Protocol;
import org.b3lb.node.config.Sizes;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One retention pass: deletes each {@code <id>.tar} {@link RetentionRule} calls expired and the
 * {@link Leftovers} of dead writers. The directory is streamed once, never listed into memory, and
 * only its direct entries are looked at: no recursion, no path outside it, no symlink followed. A
 * failure on one entry is logged and counted and the pass goes on; nothing is thrown to the route,
 * so the next scheduled pass always runs.
 */
public final class CleanupPass implements Processor {

    /**
     * Where the pass reports what it deletes, would delete or keeps. The service logs it;
     * {@code b3lb-node clean} prints it buffered, because a dry run over a backlog prints a line per recording.
     */
    public interface Report {
        void line(String text);

        /** Called before an error is logged, so that report and log stay in order. */
        default void flush() {
        }

        /** Whether a dry run reports each entry it keeps, not only their counts by reason. */
        default boolean verbose() {
            return false;
        }

        static Report log() {
            return LOG::info;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(CleanupPass.class);

    private final Path dir;
    private final RetentionRule rule;
    private final boolean dryRun;
    private final CleanupMetrics metrics;
    private final RecordingRemover remover;
    private final Report report;
    private final Clock clock;
    /** Which hook command marks a recording again, for the "not uploaded, not marked" lines. */
    private final Protocol protocol;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile CleanupResult last;

    public CleanupPass(CleanupConfig config, boolean dryRun, CleanupMetrics metrics, Report report,
            RecordingRemover remover) {
        this(config.recordingDir(), new RetentionRule(config.retention()), dryRun, metrics, remover, report,
                Clock.systemUTC(), config.protocol());
    }

    CleanupPass(Path dir, RetentionRule rule, boolean dryRun, CleanupMetrics metrics, RecordingRemover remover,
            Report report, Clock clock, Protocol protocol) {
        this.protocol = protocol;
        this.dir = dir;
        this.rule = rule;
        this.dryRun = dryRun;
        this.metrics = metrics;
        this.remover = remover;
        this.report = report;
        this.clock = clock;
    }

    /** The scheduled route's step: one pass, its summary in the log and as the message body. */
    @Override
    public void process(Exchange exchange) {
        CleanupResult r = run();
        if (r == null) {
            return;
        }
        String line = r.summary();
        LOG.atLevel(r.errors() > 0 ? Level.WARN : Level.INFO).log(line);
        exchange.getMessage().setBody(line);
    }

    /** The last finished pass, or null before the first. */
    public CleanupResult lastResult() {
        return last;
    }

    /** One pass, its summary left to the caller; null when another pass of this instance still runs (skipped, not queued). */
    public CleanupResult run() {
        if (!running.compareAndSet(false, true)) {
            LOG.warn("cleanup: the previous pass over {} is still running; skipping this one", dir);
            return null;
        }
        try {
            last = pass();
            metrics.record(last);
            return last;
        } finally {
            running.set(false);
        }
    }

    private CleanupResult pass() {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Tally t = new Tally();
        t.now = started.toEpochMilli();
        t.kept = new KeepReason.Count(report);
        long cutoff = rule.cutoffMillis(started);
        boolean listFailed = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                consider(entry, cutoff, t);
            }
        } catch (IOException | DirectoryIteratorException e) {
            t.errors++;
            listFailed = true;
            report.flush();
            LOG.error("cleanup: cannot read recording directory {}: {}; check that it exists and that the service user"
                    + " may list it (b3lb.recording-dir); the next pass tries again", dir, describe(e));
        }
        if (dryRun) {
            t.kept.summarize();
        }
        return new CleanupResult(dryRun, t.deleted, t.freedBytes, t.pending, t.unmarked, t.leftovers, t.errors, listFailed,
                started, (System.nanoTime() - t0) / 1_000_000);
    }

    private void consider(Path entry, long cutoff, Tally t) {
        String name = fileName(entry);
        String id = RecordingLayout.idOf(name, RecordingLayout.TAR);
        if (id == null) {
            if (Leftovers.isTemp(name)) {
                long freed = Leftovers.consider(entry, name, t.now, dryRun, remover, report, t.kept);
                t.leftovers += freed >= 0 ? 1 : 0;
                t.freedBytes += Math.max(0, freed);
                t.errors += freed == Leftovers.ERROR ? 1 : 0;
            } else if (dryRun && name.endsWith(RecordingLayout.TAR)) {
                t.kept.keep(KeepReason.BAD_NAME, name, KeepReason.BAD_NAME::summary);
            }
            return; // markers, evidence, locks, other names: not even a stat for them
        }
        RecordingFiles r = new RecordingFiles(dir, id);
        try {
            Look look = rule.look(r, cutoff);
            if (look.verdict() != Verdict.EXPIRED) {
                count(look.verdict(), t);
                if (dryRun) {
                    // attributes of a tar that is a regular file are not needed: spare the stat
                    BasicFileAttributes a = look.verdict() == Verdict.NOT_A_RECORDING ? RecordingRemover.attributes(entry)
                            : null;
                    KeepReason why = KeepReason.of(r, look, a);
                    t.kept.keep(why, name, () -> why.explain(r, look, a, t.now, rule.retention(), protocol));
                }
                return;
            }
            if (dryRun) {
                // a dry run deletes nothing, so it has no race to guard against
                t.freedBytes += remover.wouldRemove(r, look.tar().size(), "would delete " + name, ")", report);
                t.deleted++;
                return;
            }
            RecordingRemover.Outcome o = remover.removeIfStillExpired(r, rule, cutoff);
            if (o.verdict() != Verdict.EXPIRED) {
                count(o.verdict(), t);
                report.line("kept " + name + ": it was " + (o.verdict() == Verdict.PENDING ? "marked for upload"
                        : "uploaded again, rebuilt or replaced") + " during the pass");
                return;
            }
            report.line("deleted " + name + o.also() + " (" + Sizes.bytes(o.freedBytes()) + ", uploaded "
                    + o.look().uploadedAt() + ")");
            t.deleted++;
            t.freedBytes += o.freedBytes();
            t.errors += o.errors();
        } catch (NoSuchFileException e) {
            // removed by someone else since the directory was read: nothing left to do, nothing freed by us
        } catch (IOException | RuntimeException e) {
            t.errors++;
            report.flush();
            LOG.error("cleanup: cannot {} {}: {}; it is kept and retried next pass; check the directory's permissions"
                    + " and the file's attributes (lsattr)", dryRun ? "examine" : "delete", entry, describe(e));
        }
    }

    private static void count(Verdict v, Tally t) {
        if (v == Verdict.PENDING) {
            t.pending++;
        } else if (v == Verdict.UNMARKED) {
            t.unmarked++;
        }
    }

    /**
     * The entry's name. Entries of a DirectoryStream are always {@code dir/name}; cutting the
     * string is cheaper than {@code getFileName()}, which builds a second Path for every entry.
     */
    static String fileName(Path entry) {
        String s = entry.toString();
        return s.substring(s.lastIndexOf('/') + 1);
    }

    static String describe(Exception e) {
        Throwable c = e instanceof DirectoryIteratorException d ? d.getCause() : e;
        String msg = c.getMessage();
        return c.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    private static final class Tally {
        long deleted;
        long freedBytes;
        long pending;
        long errors;
        long unmarked;
        long leftovers;
        long now;
        KeepReason.Count kept;
    }
}
