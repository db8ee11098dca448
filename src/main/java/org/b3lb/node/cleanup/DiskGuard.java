package org.b3lb.node.cleanup;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free-space guard: every {@code b3lb.cleaner.guard-interval} one statvfs call on the
 * filesystem of the recording directory; only when the usable space is below
 * {@code b3lb.cleaner.min-free} is the directory read, and uploaded recordings are deleted oldest
 * upload first, even inside the retention, until the target is met. A recording is removed by the
 * same {@link RecordingRemover} as the retention pass, so the safety checks are the same: regular
 * {@code <id>.tar} only, never a symlink or directory, the marker looked at again right before
 * each delete. Hand-written: Camel has no disk-space consumer.
 */
public final class DiskGuard implements Processor {

    /**
     * Tars changed this recently are left alone even without a marker: the hook renames a tar into
     * place a moment before it writes the marker, and the retention's one-day margin does not
     * apply here.
     */
    static final Duration MIN_AGE = Duration.ofMinutes(10);

    /**
     * What one check found and did.
     *
     * @param freeBytes    usable space after the check (in a dry run: as it would be)
     * @param targetBytes  the space to keep, 0 when the guard is off
     * @param pendingCount recordings kept because they await upload (counted only below target)
     * @param recentCount  unmarked tars younger than {@link #MIN_AGE} (counted only below target)
     */
    public record Check(boolean enabled, boolean dryRun, long freeBytes, long targetBytes, long deleted, long freedBytes,
            long pendingCount, long pendingBytes, long recentCount, long errors) {

        public boolean unmet() {
            return enabled && freeBytes < targetBytes;
        }
    }

    private record Candidate(Path path, String name, String id, long mtime, long size) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DiskGuard.class);

    private final Path dir;
    private final GuardConfig config;
    private final RecordingRemover remover;
    private final boolean dryRun;
    private final CleanupPass.Report report;
    private final Clock clock;
    private final RetentionRule youngRule = new RetentionRule(MIN_AGE);
    private final GuardMetrics metrics;
    private volatile FileStore store;
    private volatile Check last;
    private boolean wasUnmet;

    public DiskGuard(GuardConfig config, RecordingRemover remover, boolean dryRun, MeterRegistry meters,
            CleanupPass.Report report) {
        this(config, remover, dryRun, meters, report, Clock.systemUTC());
    }

    DiskGuard(GuardConfig config, RecordingRemover remover, boolean dryRun, MeterRegistry meters,
            CleanupPass.Report report, Clock clock) {
        this.dir = config.recordingDir();
        this.config = config;
        this.remover = remover;
        this.dryRun = dryRun;
        this.report = report;
        this.clock = clock;
        this.metrics = new GuardMetrics(meters, this);
    }

    public GuardConfig config() {
        return config;
    }

    /** The last check of this instance, or null before the first. */
    public Check lastCheck() {
        return last;
    }

    /** The route's step: one check; a summary only when it did something or the target is unmet. */
    @Override
    public void process(Exchange exchange) {
        Check c = check();
        if (c.unmet()) {
            LOG.error(unmetMessage(c));
        } else if (c.deleted() > 0) {
            LOG.info(summary(c));
        } else if (wasUnmet && c.enabled() && c.targetBytes() > 0) {
            LOG.info("disk guard: {} free on {}, target b3lb.cleaner.min-free={} met again", size(c.freeBytes()), dir,
                    config.minFree().text());
        }
        wasUnmet = c.unmet();
    }

    /** Usable bytes on the recording directory's filesystem now, or NaN when it cannot be read (for the gauge). */
    double freeBytesOrNaN() {
        try {
            return usableSpace();
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * One check. The FileStore is looked up once (that reads the mount table) and then asked for
     * its usable space, one statvfs on the directory's path per call; it is looked up again after
     * a failure, e.g. when the directory was re-created.
     */
    private long usableSpace() throws IOException {
        FileStore fs = store;
        if (fs == null) {
            fs = Files.getFileStore(dir);
            store = fs;
        }
        try {
            return fs.getUsableSpace();
        } catch (IOException e) {
            store = null;
            throw e;
        }
    }

    public Check check() {
        if (!config.enabled()) {
            // off: nothing to guard, and an unreadable directory is the retention pass's to report
            double free = freeBytesOrNaN();
            return record(new Check(false, dryRun, Double.isNaN(free) ? -1 : (long) free, 0, 0, 0, 0, 0, 0, 0));
        }
        long free;
        long target = 0;
        try {
            free = usableSpace();
            target = config.minFree().targetBytes(config.minFree().percent() > 0 ? store.getTotalSpace() : 0);
        } catch (IOException e) {
            report.flush();
            LOG.error("disk guard: cannot read the free space of {}: {}; check that b3lb.recording-dir exists", dir,
                    CleanupPass.describe(e));
            return record(new Check(true, dryRun, 0, 0, 0, 0, 0, 0, 0, 1));
        }
        if (free >= target) {
            return record(new Check(true, dryRun, free, target, 0, 0, 0, 0, 0, 0));
        }
        return record(makeRoom(free, target));
    }

    private Check record(Check c) {
        last = c;
        metrics.record(c, dryRun);
        return c;
    }

    private Check makeRoom(long freeAtStart, long target) {
        long now = clock.millis();
        long cutoff = youngRule.cutoffMillis(clock.instant());
        List<Candidate> candidates = new ArrayList<>();
        long[] t = new long[4]; // pending count, pending bytes, recent count, errors
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                collect(entry, cutoff, candidates, t);
            }
        } catch (IOException | DirectoryIteratorException e) {
            t[3]++;
            report.flush();
            LOG.error("disk guard: cannot read recording directory {}: {}; check that the service user may list it",
                    dir, CleanupPass.describe(e));
        }
        candidates.sort(Comparator.comparingLong(Candidate::mtime));
        // statvfs after a delete is the truth on most filesystems, but some (ZFS, btrfs) free space
        // asynchronously: counting the removed bytes too keeps the guard from deleting everything
        // while the filesystem catches up
        long expected = freeAtStart;
        long measured = freeAtStart;
        long deleted = 0;
        long freed = 0;
        for (Candidate c : candidates) {
            if (Math.max(expected, measured) >= target) {
                break;
            }
            if (dryRun) {
                long size = c.size() + remover.metaSize(dir, c.id());
                report.line("disk guard: would delete " + c.name() + " (" + CleanupPass.mib(c.size()) + ", uploaded "
                        + GuardReport.age(now - c.mtime()) + " ago)" + remover.wouldAlso(dir, c.id()));
                expected += size;
                freed += size;
                deleted++;
                continue;
            }
            try {
                RecordingRemover.Outcome o = remover.removeIfStillExpired(dir, c.path(), c.id(), youngRule, cutoff);
                if (o.verdict() == Verdict.EXPIRED) {
                    report.line("disk guard: deleted " + c.name() + o.also() + " (" + CleanupPass.mib(o.freedBytes())
                            + ", uploaded " + GuardReport.age(now - o.tar().lastModifiedTime().toMillis()) + " ago)");
                    deleted++;
                    freed += o.freedBytes();
                    expected += o.freedBytes();
                    t[3] += o.errors();
                    measured = usableSpace();
                } else if (o.verdict() == Verdict.PENDING) {
                    t[0]++;
                    t[1] += o.tar().size();
                    report.line("disk guard: kept " + c.name() + ": it was marked for upload during the pass");
                } else {
                    t[2]++;
                    report.line("disk guard: kept " + c.name() + ": it was uploaded or replaced during the pass");
                }
            } catch (NoSuchFileException e) {
                // removed by someone else meanwhile
            } catch (IOException | RuntimeException e) {
                t[3]++;
                report.flush();
                LOG.error("disk guard: cannot delete {}: {}; it is kept; check the directory's permissions and the"
                        + " file's attributes (lsattr)", c.path(), CleanupPass.describe(e));
            }
        }
        return new Check(true, dryRun, Math.max(expected, measured), target, deleted, freed, t[0], t[1], t[2], t[3]);
    }

    private void collect(Path entry, long cutoff, List<Candidate> candidates, long[] t) {
        String s = entry.toString();
        String name = s.substring(s.lastIndexOf('/') + 1);
        String id = RetentionRule.recordingId(name);
        if (id == null) {
            return;
        }
        try {
            BasicFileAttributes a = RecordingRemover.attributes(entry);
            // the first look, by the retention rule's own judgement; the remover looks again before deleting
            Verdict v = youngRule.judgeRecording(a, RecordingRemover.markerAbsent(dir, id), Long.MAX_VALUE);
            if (v == Verdict.NOT_A_RECORDING) {
                return;
            }
            if (v == Verdict.PENDING) {
                t[0]++;
                t[1] += a.size();
            } else if (a.lastModifiedTime().toMillis() >= cutoff) {
                t[2]++;
            } else {
                candidates.add(new Candidate(entry, name, id, a.lastModifiedTime().toMillis(), a.size()));
            }
        } catch (NoSuchFileException e) {
            // gone since the directory was read
        } catch (IOException e) {
            t[3]++;
            LOG.error("disk guard: cannot examine {}: {}", entry, CleanupPass.describe(e));
        }
    }

    /** One line for a check: what it did or would do and whether the target is (would be) met. */
    public String summary(Check c) {
        return GuardReport.summary(c, config, dir);
    }

    /** The ERROR logged once per check while the target is out of reach. */
    String unmetMessage(Check c) {
        return GuardReport.unmet(c, config, dir);
    }

    static String size(long bytes) {
        return GuardReport.size(bytes);
    }
}
