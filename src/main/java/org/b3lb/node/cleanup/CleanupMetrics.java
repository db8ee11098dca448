package org.b3lb.node.cleanup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Prometheus metrics of the retention cleanup and ({@link Guard}) of the disk guard; a dry run
 * counts nothing as deleted or freed. Before the first pass the last-pass timestamp is the
 * service's start, so an alert on its age does not fire right after install; a manual
 * {@code b3lb-node clean} is another process and does not move it. A pending count above 0 is an
 * upload stuck for days.
 */
public final class CleanupMetrics {

    private final Counter deleted;
    private final Counter freedBytes;
    private final Counter errors;
    private final Counter passes;
    private final AtomicReference<CleanupResult> last = new AtomicReference<>();

    /** @param serviceStart what the last-pass timestamp shows before the first pass */
    public CleanupMetrics(MeterRegistry registry, Instant serviceStart) {
        deleted = Counter.builder("b3lb.cleanup.deleted")
                .description("recordings (<id>.tar) deleted by the retention cleanup").register(registry);
        freedBytes = Counter.builder("b3lb.cleanup.freed").baseUnit("bytes")
                .description("bytes freed by the retention cleanup").register(registry);
        errors = Counter.builder("b3lb.cleanup.errors")
                .description("entries or directories the retention cleanup could not read or delete").register(registry);
        passes = Counter.builder("b3lb.cleanup.passes")
                .description("retention cleanup passes run by this service (dry runs included)").register(registry);
        Gauge.builder("b3lb.cleanup.last.pass.timestamp", last,
                        r -> (r.get() == null ? serviceStart : r.get().startedAt()).toEpochMilli() / 1000.0)
                .baseUnit("seconds")
                .description("start of the last cleanup pass, or of the service before its first pass, epoch seconds")
                .register(registry);
        Gauge.builder("b3lb.cleanup.last.pass.duration", last,
                        r -> r.get() == null ? 0 : r.get().durationMillis() / 1000.0)
                .baseUnit("seconds").description("duration of the last cleanup pass").register(registry);
        Gauge.builder("b3lb.cleanup.pending", last, r -> r.get() == null ? 0 : r.get().pending())
                .description("recordings past the retention kept at the last pass because their .ready marker awaits upload").register(registry);
    }

    void record(CleanupResult r) {
        if (!r.dryRun()) {
            deleted.increment(r.deleted());
            freedBytes.increment(r.freedBytes());
        }
        errors.increment(r.errors());
        passes.increment();
        last.set(r);
    }

    /** The disk guard's: the free space is read at each scrape, also while the guard is off (target 0). */
    static final class Guard {

        private final Counter deleted;
        private final Counter freed;
        private final AtomicLong unmet = new AtomicLong();
        private final AtomicLong target = new AtomicLong();

        Guard(MeterRegistry registry, DiskGuard guard) {
            Gauge.builder("b3lb.disk.free", guard, DiskGuard::freeBytesOrNaN).baseUnit("bytes")
                    .description("usable free space on the filesystem of b3lb.recording-dir").register(registry);
            Gauge.builder("b3lb.disk.guard.target", target, AtomicLong::get).baseUnit("bytes")
                    .description("free space the disk guard keeps (b3lb.cleaner.min-free), 0 when it is off").register(registry);
            Gauge.builder("b3lb.disk.guard.unmet", unmet, AtomicLong::get)
                    .description("1 while the disk guard cannot reach its target: only recordings awaiting upload are left")
                    .register(registry);
            deleted = Counter.builder("b3lb.disk.guard.deleted")
                    .description("uploaded recordings deleted by the disk guard before their retention ended").register(registry);
            freed = Counter.builder("b3lb.disk.guard.freed").baseUnit("bytes")
                    .description("bytes freed by the disk guard").register(registry);
        }

        void record(DiskGuard.Check c) {
            target.set(c.targetBytes());
            unmet.set(c.unmet() ? 1 : 0);
            if (!c.dryRun()) {
                deleted.increment(c.deleted());
                freed.increment(c.freedBytes());
            }
        }
    }
}
