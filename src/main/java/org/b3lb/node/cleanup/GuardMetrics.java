package org.b3lb.node.cleanup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The disk guard's Prometheus metrics: {@code b3lb_disk_free_bytes} (read at each scrape, also
 * while the guard is off), {@code b3lb_disk_guard_target_bytes} (0 when off),
 * {@code b3lb_disk_guard_deleted_total}, {@code b3lb_disk_guard_freed_bytes_total} and
 * {@code b3lb_disk_guard_unmet} (1 while the last check could not reach the target). A dry run
 * counts nothing as deleted or freed.
 */
public final class GuardMetrics {

    private final Counter deleted;
    private final Counter freed;
    private final AtomicLong unmet = new AtomicLong();
    private final AtomicLong target = new AtomicLong();

    public GuardMetrics(MeterRegistry registry, DiskGuard guard) {
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

    void record(DiskGuard.Check c, boolean dryRun) {
        target.set(c.targetBytes());
        unmet.set(c.unmet() ? 1 : 0);
        if (!dryRun) {
            deleted.increment(c.deleted());
            freed.increment(c.freedBytes());
        }
    }
}
