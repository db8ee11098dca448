package org.b3lb.node.upload;

import org.b3lb.node.config.Sizes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.spi.ExecutorServiceManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at every running attempt a few times per idle-timeout: closes the connection of one that
 * has moved no byte for the idle timeout, and logs progress of big tars at most every 10 s.
 * Hand-written because camel-http's timeouts are socket read timeouts: a server that stops
 * reading blocks the client's write, and a blocked socket write has no timeout in Java.
 * It ticks only while an attempt is watched: an idle node's CPU is the load it reports, and its
 * thread (from Camel's {@link ExecutorServiceManager}: named, managed, shut down with the context)
 * is started by the first attempt, not at start-up.
 */
final class UploadWatchdog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UploadWatchdog.class);
    static final long PROGRESS_ABOVE_BYTES = 100L << 20;
    static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long idleNanos;
    private final long progressAbove;
    private final long progressEveryNanos;
    private final Map<UploadProgress, Boolean> running = new ConcurrentHashMap<>();
    private final long tickMillis;
    private final ExecutorServiceManager executors;
    final ScheduledExecutorService timer;
    /** The periodic check while {@link #running} is not empty, else null; guarded by {@code this}. */
    private ScheduledFuture<?> tick;
    private boolean closed;

    UploadWatchdog(Duration idleTimeout, ExecutorServiceManager executors) {
        this(idleTimeout, executors, PROGRESS_ABOVE_BYTES, Duration.ofNanos(PROGRESS_EVERY_NANOS));
    }

    UploadWatchdog(Duration idleTimeout, ExecutorServiceManager executors, long progressAboveBytes, Duration progressEvery) {
        this.idleNanos = idleTimeout.toNanos();
        this.progressAbove = progressAboveBytes;
        this.progressEveryNanos = progressEvery.toNanos();
        this.tickMillis = Math.max(20, Math.min(1000, idleTimeout.toMillis() / 4));
        this.executors = executors;
        // Camel's scheduled pools remove a cancelled check, so nothing queued wakes the thread
        this.timer = executors.newScheduledThreadPool(this, "upload-watchdog", 1);
    }

    void watch(UploadProgress p) {
        synchronized (this) {
            running.put(p, Boolean.FALSE);
            if (tick == null && !closed) {
                tick = timer.scheduleWithFixedDelay(this::check, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** @return true if the watchdog aborted this attempt for idleness */
    boolean done(UploadProgress p) {
        Boolean aborted;
        synchronized (this) {
            aborted = running.remove(p);
            if (running.isEmpty() && tick != null) {
                tick.cancel(false);
                tick = null;
            }
        }
        return Boolean.TRUE.equals(aborted);
    }

    /** Whether the periodic check is scheduled or running: only while an attempt is watched. */
    synchronized boolean ticking() {
        return tick != null;
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
        synchronized (this) {
            closed = true;
            tick = null;
        }
        executors.shutdownNow(timer);
    }
}
