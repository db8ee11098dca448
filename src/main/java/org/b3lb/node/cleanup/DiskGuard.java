package org.b3lb.node.cleanup;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.b3lb.node.config.Sizes;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free-space guard: one statvfs per check; only below {@code b3lb.cleaner.min-free} is the
 * directory read and uploaded recordings deleted, oldest upload first, even inside the retention,
 * until the target is met, through the retention pass's {@link RecordingRemover} so the safety
 * checks are the same. Hand-written: Camel has no disk-space consumer.
 */
public final class DiskGuard implements Processor {

    /**
     * What one check found and did.
     *
     * @param freeBytes    usable space after the check (in a dry run: as it would be)
     * @param targetBytes  the space to keep, 0 when the guard is off
     * @param pendingCount   recordings kept because they await upload (counted only below target)
     * @param unmarkedCount  tars kept with neither marker nor upload evidence (counted only below target)
     */
    public record Check(boolean enabled, boolean dryRun, long freeBytes, long targetBytes, long deleted, long freedBytes,
            long pendingCount, long pendingBytes, long unmarkedCount, long errors) {

        public boolean unmet() {
            return enabled && freeBytes < targetBytes;
        }
    }

    private record Candidate(RecordingFiles files, String name, long uploadedAt, long size) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DiskGuard.class);

    private final Path dir;
    private final CleanupConfig config;
    private final RecordingRemover remover;
    private final boolean dryRun;
    private final CleanupPass.Report report;
    /** Every upload counts as old: below the target the guard deletes inside the retention too. */
    private final RetentionRule rule = new RetentionRule(Duration.ZERO);
    private final CleanupMetrics.Guard metrics;
    private volatile FileStore store;
    private boolean wasUnmet;

    public DiskGuard(CleanupConfig config, RecordingRemover remover, boolean dryRun, MeterRegistry meters,
            CleanupPass.Report report) {
        this.dir = config.recordingDir();
        this.config = config;
        this.remover = remover;
        this.dryRun = dryRun;
        this.report = report;
        this.metrics = new CleanupMetrics.Guard(meters, this);
    }

    /** The route's step: one check, as the message body; logged only when it did something or the target is unmet. */
    @Override
    public void process(Exchange exchange) {
        Check c = check();
        exchange.getMessage().setBody(c);
        if (c.unmet()) {
            LOG.error(GuardReport.unmet(c, config));
        } else if (c.deleted() > 0) {
            LOG.info(GuardReport.summary(c, config));
        } else if (wasUnmet && c.enabled() && c.targetBytes() > 0) {
            LOG.info("disk guard: {} free on {}, target b3lb.cleaner.min-free={} met again", Sizes.bytes(c.freeBytes()), dir,
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
     * The FileStore is looked up once (that reads the mount table), then asked: one statvfs per call.
     * It is looked up again after a failure, e.g. when the directory was re-created.
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
        if (!config.guardEnabled()) {
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
        metrics.record(c);
        return c;
    }

    private Check makeRoom(long freeAtStart, long target) {
        long now = System.currentTimeMillis();
        List<Candidate> candidates = new ArrayList<>();
        long[] t = new long[4]; // pending count, pending bytes, unmarked count, errors
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                collect(entry, candidates, t);
            }
        } catch (IOException | DirectoryIteratorException e) {
            t[3]++;
            report.flush();
            LOG.error("disk guard: cannot read recording directory {}: {}; check that the service user may list it",
                    dir, CleanupPass.describe(e));
        }
        candidates.sort(Comparator.comparingLong(Candidate::uploadedAt));
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
            String uploaded = ", uploaded " + GuardReport.age(now - c.uploadedAt()) + " ago)";
            if (dryRun) {
                long size = remover.wouldRemove(c.files(), c.size(), "disk guard: would delete " + c.name(), uploaded, report);
                expected += size;
                freed += size;
                deleted++;
                continue;
            }
            try {
                RecordingRemover.Outcome o = remover.removeIfStillExpired(c.files(), rule, Long.MAX_VALUE);
                if (o.verdict() == Verdict.EXPIRED) {
                    report.line("disk guard: deleted " + c.name() + o.also() + " (" + Sizes.bytes(o.freedBytes())
                            + uploaded);
                    deleted++;
                    freed += o.freedBytes();
                    expected += o.freedBytes();
                    t[3] += o.errors();
                    measured = usableSpace();
                } else if (o.verdict() == Verdict.PENDING) {
                    t[0]++;
                    t[1] += o.look().tar().size();
                    report.line("disk guard: kept " + c.name() + ": it was marked for upload during the pass");
                } else {
                    t[2] += o.verdict() == Verdict.UNMARKED ? 1 : 0;
                    report.line("disk guard: kept " + c.name() + ": it was rebuilt or replaced during the pass");
                }
            } catch (NoSuchFileException e) {
                // removed by someone else meanwhile
            } catch (IOException | RuntimeException e) {
                t[3]++;
                report.flush();
                LOG.error("disk guard: cannot delete {}: {}; it is kept; check the directory's permissions and the"
                        + " file's attributes (lsattr)", c.files().tar(), CleanupPass.describe(e));
            }
        }
        return new Check(true, dryRun, Math.max(expected, measured), target, deleted, freed, t[0], t[1], t[2], t[3]);
    }

    private void collect(Path entry, List<Candidate> candidates, long[] t) {
        String name = CleanupPass.fileName(entry);
        String id = RecordingLayout.idOf(name, RecordingLayout.TAR);
        if (id == null) {
            return;
        }
        try {
            // the first look, by the retention rule's own judgement; the remover looks again before deleting
            RetentionRule.Look look = rule.look(new RecordingFiles(dir, id), Long.MAX_VALUE);
            switch (look.verdict()) {
                case PENDING -> {
                    t[0]++;
                    t[1] += look.tar().size();
                }
                case UNMARKED -> t[2]++;
                case EXPIRED -> candidates.add(new Candidate(new RecordingFiles(dir, id), name,
                        look.uploadedAt().toEpochMilli(), look.tar().size()));
                default -> {
                    // not a regular file: never the guard's
                }
            }
        } catch (NoSuchFileException e) {
            // gone since the directory was read
        } catch (IOException e) {
            t[3]++;
            LOG.error("disk guard: cannot examine {}: {}", entry, CleanupPass.describe(e));
        }
    }
}
