package org.b3lb.node.upload;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * {@code b3lb_uploads_total{outcome}}, {@code b3lb_upload_bytes_total}, {@code b3lb_upload_duration_seconds}
 * {@code b3lb_skipped_markers} and {@code b3lb_upload_paused}. The pending gauges read the directory, not the route: they are
 * {@code ops.PendingRecordings}'.
 */
public final class UploadMetrics {

    private final Counter success;
    private final Counter retry;
    private final Counter failed;
    private final Counter missingTar;
    private final Counter abandoned;
    private final Counter bytes;
    private final Timer duration;
    private final MeterRegistry registry;

    public UploadMetrics(MeterRegistry registry) {
        this.registry = registry;
        success = outcome(registry, "success");
        retry = outcome(registry, "retry");
        failed = outcome(registry, "failed");
        missingTar = outcome(registry, "missing_tar");
        abandoned = outcome(registry, B3lbProtocol.ABANDONED);
        bytes = Counter.builder("b3lb.upload.bytes").description("tar bytes uploaded with a 2xx answer").register(registry);
        duration = Timer.builder("b3lb.upload.duration").description("time of successful uploads").register(registry);
    }

    /** {@code b3lb_skipped_markers}: markers the route leaves alone (bad names, hidden, directories). */
    void watch(MarkerAudit audit) {
        Gauge.builder("b3lb.skipped.markers", audit, MarkerAudit::skippedCount)
                .description("<id>.ready entries the upload route will not take: a name outside the hook's id rule, hidden, or a directory")
                .register(registry);
    }

    /** {@code b3lb_upload_paused{reason="busy"|"hours"}}: 1 while no new upload starts for that reason. */
    void watch(UploadPause pause) {
        Gauge.builder("b3lb.upload.paused", pause, p -> p.rules().above() != null && p.now().busy() ? 1 : 0).tag("reason", "busy")
                .description("1 while new uploads wait for the load figure to stay at or below b3lb.upload.pause-above")
                .register(registry);
        Gauge.builder("b3lb.upload.paused", pause, p -> p.rules().hours() != null && p.now().outsideHours() ? 1 : 0)
                .tag("reason", "hours").description("1 while new uploads wait for b3lb.upload.hours").register(registry);
    }

    /** {@code b3lb_upload_max_rate_bytes}: b3lb.upload.max-rate in bytes per second, 0 without a cap. */
    void maxRate(long bytesPerSecond) {
        Gauge.builder("b3lb.upload.max.rate.bytes", () -> bytesPerSecond)
                .description("b3lb.upload.max-rate: the most bytes per second all uploads together send; 0: no cap")
                .register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("b3lb.uploads").tag("outcome", outcome)
                .description("upload attempts by outcome: success, retry (redelivery follows), failed (waits for a later poll), missing_tar, "
                        + "abandoned (B3LB 3.x will never take it: breakout room, record set gone)")
                .register(registry);
    }

    void success(long size, Duration took) {
        success.increment();
        bytes.increment(size);
        duration.record(took);
    }

    void retry() {
        retry.increment();
    }

    void failed() {
        failed.increment();
    }

    void missingTar() {
        missingTar.increment();
    }

    void abandoned() {
        abandoned.increment();
    }
}
