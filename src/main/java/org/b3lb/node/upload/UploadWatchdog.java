package org.b3lb.node.upload;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at every running attempt a few times per idle-timeout: closes the connection of one that
 * has moved no byte for the idle timeout, and logs progress of big tars at most every 10 s.
 * Hand-written because camel-http's timeouts are socket read timeouts: a server that stops
 * reading blocks the client's write, and a blocked socket write has no timeout in Java.
 */
final class UploadWatchdog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UploadWatchdog.class);
    static final long PROGRESS_ABOVE_BYTES = 100L << 20;
    static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long idleNanos;
    private final long progressAbove;
    private final long progressEveryNanos;
    private final Map<UploadProgress, Boolean> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    UploadWatchdog(Duration idleTimeout) {
        this(idleTimeout, PROGRESS_ABOVE_BYTES, Duration.ofNanos(PROGRESS_EVERY_NANOS));
    }

    UploadWatchdog(Duration idleTimeout, long progressAboveBytes, Duration progressEvery) {
        this.idleNanos = idleTimeout.toNanos();
        this.progressAbove = progressAboveBytes;
        this.progressEveryNanos = progressEvery.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upload-watchdog");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(20, Math.min(1000, idleTimeout.toMillis() / 4));
        timer.scheduleWithFixedDelay(this::check, tick, tick, TimeUnit.MILLISECONDS);
    }

    void watch(UploadProgress p) {
        running.put(p, Boolean.FALSE);
    }

    /** @return true if the watchdog aborted this attempt for idleness */
    boolean done(UploadProgress p) {
        return Boolean.TRUE.equals(running.remove(p));
    }

    /** Stop: close every connection in flight; the markers stay, so the next start sends them again. */
    void abortAll() {
        running.keySet().forEach(UploadProgress::abort);
    }

    private void check() {
        long now = System.nanoTime();
        for (Map.Entry<UploadProgress, Boolean> e : running.entrySet()) {
            UploadProgress p = e.getKey();
            try {
                if (p.idleNanos(now) >= idleNanos) {
                    if (running.replace(p, Boolean.FALSE, Boolean.TRUE)) {
                        p.abort();
                    }
                } else if (p.total() > progressAbove && now - p.lastReportNanos >= progressEveryNanos) {
                    p.lastReportNanos = now;
                    double seconds = (now - p.startNanos()) / 1e9;
                    LOG.info("uploading {}: {} of {} ({}%) at {} MB/s", p.recording().id(), Sizes.bytes(p.tarSent()),
                            Sizes.bytes(p.total()), p.tarSent() * 100 / p.total(), Sizes.mbPerSecond(p.tarSent(), seconds));
                }
            } catch (RuntimeException ex) {
                LOG.warn("upload watchdog: {}", ex.toString());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
