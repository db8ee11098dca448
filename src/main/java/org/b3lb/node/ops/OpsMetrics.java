package org.b3lb.node.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The gauges the monitoring pack alerts on that no route owns:
 * {@code b3lb_pending_oldest_age_seconds} (0 when nothing waits), {@code b3lb_pending_bytes} and
 * {@code b3lb_disk_free_bytes} (usable bytes on the recording directory's filesystem, -1 when it
 * cannot be read).
 */
public final class OpsMetrics {

    private OpsMetrics() {
    }

    public static void bind(MeterRegistry registry, PendingRecordings pending, Clock clock) {
        Gauge.builder("b3lb.pending.oldest.age", pending, p -> p.scan().oldestAge(clock.instant()).toMillis() / 1000.0)
                .baseUnit("seconds")
                .description("age of the oldest <id>.ready marker waiting in b3lb.recording-dir, 0 when none")
                .register(registry);
        Gauge.builder("b3lb.pending", pending, p -> p.scan().totalBytes())
                .baseUnit("bytes")
                .description("size of the tars of the recordings waiting for upload")
                .register(registry);
        Gauge.builder("b3lb.disk.free", pending.dir(), OpsMetrics::freeBytes)
                .baseUnit("bytes")
                .description("usable bytes on the filesystem of b3lb.recording-dir")
                .register(registry);
    }

    static double freeBytes(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
