package org.b3lb.node.upload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upload attempt of one recording. Runs on its own pool of {@code b3lb.upload.concurrency}
 * threads, so the file consumer's thread never waits for a network transfer and a slow 4 GiB
 * recording occupies one worker while small ones pass on the others; Camel's delayed redeliveries
 * come back through the same pool, so concurrency is a hard bound.
 *
 * <p>Nothing is deleted unless the server answered 2xx, or the tar is missing: a crash at any
 * point leaves the marker, and the recording is sent again after restart.
 */
public final class UploadAttempt extends AsyncProcessorSupport implements AsyncProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(UploadAttempt.class);

    /** Exchange property holding the {@link Recording}: properties never leave the process. */
    public static final String RECORDING = "b3lb.recording";
    /** Exchange property: success, failed, missing_tar, pending (left for later, e.g. at shutdown). */
    public static final String OUTCOME = "b3lb.outcome";
    /** Exchange property: epoch millis before which a redelivery must not start. */
    static final String NOT_BEFORE = "b3lb.notBefore";

    private final UploadConfig config;
    private final UploadMetrics metrics;
    private final RecordingSchedule schedule;
    private volatile UploadClient client;
    private volatile ExecutorService workers;
    private volatile ScheduledExecutorService timer;
    private final Map<Exchange, Waiting> waiting = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    private final BooleanSupplier consumerRunning;

    /**
     * @param consumerRunning whether the route's consumer still runs; once it stops, recordings
     *                        waiting out a backoff are let go at once (their markers stay)
     */
    public UploadAttempt(UploadConfig config, UploadMetrics metrics, RecordingSchedule schedule, BooleanSupplier consumerRunning) {
        this.consumerRunning = consumerRunning;
        this.config = config;
        this.metrics = metrics;
        this.schedule = schedule;
    }

    @Override
    protected void doStart() {
        stopping = false;
        schedule.clear();
        client = new UploadClient(config);
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(config.concurrency(), r -> {
            Thread t = new Thread(r, "upload-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upload-backoff");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            if (!waiting.isEmpty() && !consumerRunning.getAsBoolean()) {
                prepareStop();
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
    }

    /** A redelivery waiting out its backoff. */
    private record Waiting(AtomicReference<ScheduledFuture<?>> timer, AsyncCallback callback) {
    }

    /** Shutdown begins: queued attempts return at once and running ones are aborted; their markers stay. */
    public void prepareStop() {
        stopping = true;
        UploadClient c = client;
        if (c != null) {
            c.abortAll();
        }
        int left = 0;
        for (Map.Entry<Exchange, Waiting> w : waiting.entrySet()) {
            if (waiting.remove(w.getKey()) != null) {
                ScheduledFuture<?> f = w.getValue().timer().get();
                if (f != null) {
                    f.cancel(false);
                }
                w.getKey().setProperty(OUTCOME, "pending");
                w.getValue().callback().done(false);
                left++;
            }
        }
        if (left > 0) {
            LOG.info("{} recording(s) waiting to retry keep their markers and are sent after the next start", left);
        }
    }

    @Override
    protected void doStop() throws InterruptedException {
        prepareStop();
        workers.shutdown();
        workers.awaitTermination(10, TimeUnit.SECONDS);
        timer.shutdownNow();
        client.close();
    }

    /**
     * Camel redelivers at once (the route's redelivery delay is 0) and the backoff is waited out here,
     * on a timer this class can cancel: a redelivery delayed by Camel itself is an in-flight
     * exchange that shutdown would wait for, up to 10 minutes with the default max-delay.
     */
    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        long wait = exchange.getProperty(NOT_BEFORE, 0L, Long.class) - System.currentTimeMillis();
        exchange.removeProperty(NOT_BEFORE);
        if (wait > 0 && !stopping) {
            // registered before it is scheduled: whoever removes the entry (the timer, or a stop)
            // owns the callback, so the exchange is resumed exactly once whatever the timing
            Waiting w = new Waiting(new AtomicReference<>(), callback);
            waiting.put(exchange, w);
            try {
                w.timer().set(timer.schedule(() -> {
                    if (waiting.remove(exchange) != null) {
                        run(exchange, callback, false);
                    }
                }, wait, TimeUnit.MILLISECONDS));
                return false;
            } catch (RejectedExecutionException e) {
                if (waiting.remove(exchange) == null) {
                    return false; // a stop got there first and resumed it
                }
                exchange.setProperty(OUTCOME, "pending");
                callback.done(true);
                return true;
            }
        }
        return run(exchange, callback, true);
    }

    /** @param sync whether the caller is Camel's own call to process(), which then learns the result */
    private boolean run(Exchange exchange, AsyncCallback callback, boolean sync) {
        try {
            workers.execute(() -> {
                try {
                    attempt(exchange);
                } catch (Throwable t) {
                    exchange.setException(t);
                } finally {
                    callback.done(false);
                }
            });
            return false;
        } catch (RejectedExecutionException e) {
            // stopped: the marker stays for the next start
            exchange.setProperty(OUTCOME, "pending");
            callback.done(sync);
            return sync;
        }
    }

    void attempt(Exchange exchange) throws UploadFailure, IOException {
        Recording r = exchange.getProperty(RECORDING, Recording.class);
        if (stopping) {
            exchange.setProperty(OUTCOME, "pending");
            return;
        }
        if (!Files.exists(r.marker())) {
            // another run (push --once, an admin) dealt with it since the poll
            exchange.setProperty(OUTCOME, "gone");
            return;
        }
        if (!Files.isRegularFile(r.tar())) {
            LOG.warn("{}: no {} beside its marker; removing {} (the hook writes the tar before the marker: "
                    + "re-run it to send this recording again)", r.id(), r.tar(), r.marker().getFileName());
            Files.deleteIfExists(r.marker());
            schedule.forget(r.id());
            metrics.missingTar();
            exchange.setProperty(OUTCOME, "missing_tar");
            return;
        }
        long size = Files.size(r.tar());
        UploadProgress progress = new UploadProgress(r, size);
        long start = System.nanoTime();
        int status;
        try {
            status = client.post(r, size, progress);
        } catch (UploadFailure.Transient f) {
            if (stopping) {
                LOG.info("{}: upload interrupted by shutdown; it is sent again after the next start", r.id());
                exchange.setProperty(OUTCOME, "pending");
                return;
            }
            Duration wait = schedule.failed(r.id(), f.retryAfter());
            int redelivery = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
            if (redelivery < config.maxRedeliveries()) {
                metrics.retry();
                LOG.warn("{}: upload failed: {}; retry {} of {} in {}{}", r.id(), f.getMessage(), redelivery + 1,
                        config.maxRedeliveries(), Sizes.duration(wait), f.retryAfter() == null ? "" : " (server's Retry-After)");
                // Retry-After and the backoff kept across polls apply to in-route redeliveries
                // too; see process() for why Camel itself does not wait
                exchange.setProperty(NOT_BEFORE, System.currentTimeMillis() + wait.toMillis());
            }
            throw f;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // the cleanup route counts retention from the tar's mtime: from now, not from the recording
        try {
            Files.setLastModifiedTime(r.tar(), FileTime.from(Instant.now()));
        } catch (IOException e) {
            LOG.warn("{}: uploaded, but cannot touch {} ({}); the cleanup counts its retention from the older mtime",
                    r.id(), r.tar(), e.toString());
        }
        try {
            Files.deleteIfExists(r.marker());
            schedule.forget(r.id());
        } catch (IOException e) {
            // the marker is the only record that this recording still needs sending, so it stays;
            // waiting max-delay before the next send keeps a read-only directory from turning
            // into a loop that re-sends the same recording every poll
            Duration wait = schedule.rejected(r.id());
            LOG.error("{}: uploaded, but cannot delete {} ({}); it is sent again in {} unless the service's user may "
                    + "delete files in {} (with systemd: ReadWritePaths= must list b3lb.recording-dir)",
                    r.id(), r.marker(), e.toString(), Sizes.duration(wait), r.marker().getParent());
        }
        metrics.success(size, took);
        exchange.setProperty(OUTCOME, "success");
        LOG.info("uploaded {}: {} in {} ({} MB/s){}", r.id(), Sizes.bytes(size), Sizes.duration(took),
                Sizes.mbPerSecond(size, took.toNanos() / 1e9), status == 200 ? "" : " HTTP " + status);
    }

    /** Redeliveries ran out: the marker stays and the filter holds the recording back until its backoff ends. */
    void exhausted(Exchange exchange) {
        Recording r = exchange.getProperty(RECORDING, Recording.class);
        UploadFailure f = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, UploadFailure.class);
        metrics.failed();
        exchange.setProperty(OUTCOME, "failed");
        Duration wait = schedule.remaining(r.id());
        LOG.warn("{}: upload failed {} times in a row, last: {}; the marker stays, next try in {}", r.id(),
                schedule.failures(r.id()), f == null ? "unknown error" : f.getMessage(), Sizes.duration(wait));
    }

    /** The server refused for a reason retrying won't fix: one ERROR line, then wait max-delay. */
    void rejected(Exchange exchange) {
        Recording r = exchange.getProperty(RECORDING, Recording.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        metrics.failed();
        exchange.setProperty(OUTCOME, "failed");
        Duration wait = schedule.rejected(r.id());
        if (e instanceof UploadFailure) {
            LOG.error("{}: upload refused: {}; the marker stays, next try in {}", r.id(), e.getMessage(), Sizes.duration(wait));
        } else {
            LOG.error("{}: upload failed unexpectedly: {}; the marker stays, next try in {}", r.id(), e, Sizes.duration(wait));
        }
    }

    @Override
    public String toString() {
        return "upload attempt";
    }
}
