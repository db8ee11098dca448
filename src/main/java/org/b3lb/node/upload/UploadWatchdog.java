package org.b3lb.node.upload;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.concurrent.Cancellable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at every running attempt a few times per idle-timeout: aborts one that has moved no byte
 * for the idle timeout (a socket timeout alone cannot catch a server that stops reading, since a
 * blocked write has no timeout in Java), and logs progress of big tars at most every 10 s.
 */
final class UploadWatchdog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UploadWatchdog.class);
    static final long PROGRESS_ABOVE_BYTES = 100L << 20;
    static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long idleNanos;
    private final long progressAbove;
    private final long progressEveryNanos;
    private final Map<UploadProgress, Cancellable> running = new ConcurrentHashMap<>();
    private final Map<UploadProgress, Boolean> abortedForIdle = new ConcurrentHashMap<>();
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

    void watch(UploadProgress p, Cancellable request) {
        running.put(p, request);
    }

    /** @return true if the watchdog aborted this attempt for idleness */
    boolean done(UploadProgress p) {
        running.remove(p);
        return abortedForIdle.remove(p) != null;
    }

    /** Shutdown: abort everything in flight; the markers stay, so the next start sends them again. */
    void abortAll() {
        running.values().forEach(Cancellable::cancel);
    }

    private void check() {
        long now = System.nanoTime();
        for (Map.Entry<UploadProgress, Cancellable> e : running.entrySet()) {
            UploadProgress p = e.getKey();
            try {
                if (p.idleNanos(now) >= idleNanos) {
                    abortedForIdle.put(p, Boolean.TRUE);
                    e.getValue().cancel();
                } else if (p.total() > progressAbove && now - p.lastReportNanos >= progressEveryNanos) {
                    p.lastReportNanos = now;
                    double seconds = (now - p.startNanos()) / 1e9;
                    LOG.info("uploading {}: {} of {} ({}%) at {} MB/s", p.recording().id(), Sizes.bytes(p.sent()),
                            Sizes.bytes(p.total()), p.sent() * 100 / p.total(), Sizes.mbPerSecond(p.sent(), seconds));
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
