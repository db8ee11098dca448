package org.b3lb.node.cleanup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The cleanup's Prometheus metrics: {@code b3lb_cleanup_deleted_total},
 * {@code b3lb_cleanup_freed_bytes_total}, {@code b3lb_cleanup_errors_total},
 * {@code b3lb_cleanup_passes_total}, {@code b3lb_cleanup_last_pass_timestamp_seconds} (the start of
 * the last pass, or of the service before its first pass, so an alert on its age does not fire
 * right after install; a manual {@code b3lb-node clean} is another process and does not move it),
 * {@code b3lb_cleanup_last_pass_duration_seconds} and {@code b3lb_cleanup_pending} (recordings past
 * the retention still awaiting upload at the last pass: anything above 0 is an upload stuck for
 * days). A dry run counts nothing as deleted or freed.
 */
public final class CleanupMetrics {

    private final Counter deleted;
    private final Counter freedBytes;
    private final Counter errors;
    private final Counter passes;
    private final AtomicReference<CleanupResult> last = new AtomicReference<>();
    private final Instant serviceStart;

    /** @param serviceStart what the last-pass timestamp shows before the first pass */
    public CleanupMetrics(MeterRegistry registry, Instant serviceStart) {
        this.serviceStart = serviceStart;
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
}
