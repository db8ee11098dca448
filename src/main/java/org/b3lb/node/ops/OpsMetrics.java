package org.b3lb.node.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * The gauges the monitoring pack alerts on that no route owns, all from one cached scan of the
 * directory (so a scrape lists it once, and they also count markers the route has not polled yet):
 * {@code b3lb_pending_recordings} (markers the route will take: hidden ones are
 * {@code b3lb_skipped_markers}), {@code b3lb_pending_oldest_age_seconds} (0 when nothing waits),
 * {@code b3lb_pending_bytes} and {@code b3lb_unmarked_recordings} (tars neither uploaded nor
 * marked: nothing uploads or deletes them until an admin marks them).
 * ({@code b3lb_disk_free_bytes} is the disk guard's, registered whether the guard is on or not.)
 */
public final class OpsMetrics {

    private OpsMetrics() {
    }

    public static void bind(MeterRegistry registry, PendingRecordings pending, Clock clock) {
        Gauge.builder("b3lb.pending.recordings", pending, p -> p.scan().count())
                .description("<id>.ready markers waiting in b3lb.recording-dir")
                .register(registry);
        Gauge.builder("b3lb.pending.oldest.age", pending, p -> p.scan().oldestAge(clock.instant()).toMillis() / 1000.0)
                .baseUnit("seconds")
                .description("age of the oldest <id>.ready marker waiting in b3lb.recording-dir, 0 when none")
                .register(registry);
        Gauge.builder("b3lb.pending", pending, p -> p.scan().totalBytes())
                .baseUnit("bytes")
                .description("size of the tars of the recordings waiting for upload")
                .register(registry);
        Gauge.builder("b3lb.unmarked.recordings", pending, p -> p.scan().unmarked())
                .description("<id>.tar in b3lb.recording-dir with neither a marker nor upload evidence; b3lb-node clean"
                        + " --dry-run names each with the command that marks it")
                .register(registry);
    }
}
