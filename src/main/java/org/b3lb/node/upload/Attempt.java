package org.b3lb.node.upload;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.ShutdownPrepared;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the route that touch files: take a marker, build the request body, finish a
 * success. As the route's {@link ShutdownPrepared} service it learns when the route stops (over
 * JMX or at shutdown, after the consumer stopped): running transfers are aborted at once and
 * queued exchanges end without a request; every marker stays. Nothing is deleted unless the
 * server answered 2xx, or the tar is missing: a crash at any point leaves the marker.
 */
final class Attempt extends ServiceSupport implements Processor, ShutdownPrepared {

    private static final Logger LOG = LoggerFactory.getLogger(Attempt.class);

    /** Exchange properties: properties never leave the process. */
    static final String RECORDING = "b3lb.recording";
    static final String PROGRESS = "b3lb.progress";
    /** success, failed, missing_tar, gone, deferred (back to the poll tier), pending (left at a stop) or abandoned (b3lb: never taken). */
    static final String OUTCOME = "b3lb.outcome";

    private final UploadConfig config;
    private final UploadMetrics metrics;
    private final RecordingSchedule schedule;
    private final BiConsumer<String, String> outcomes;
    private volatile UploadWatchdog watchdog;
    private volatile boolean stopping;

    Attempt(UploadConfig config, UploadMetrics metrics, RecordingSchedule schedule, BiConsumer<String, String> outcomes) {
        this.config = config;
        this.metrics = metrics;
        this.schedule = schedule;
        this.outcomes = outcomes;
    }

    @Override
    protected void doStart() {
        stopping = false;
        schedule.clear(); // an admin (re)starting the route expects every marker to be tried now
        watchdog = new UploadWatchdog(config.idleTimeout());
    }

    @Override
    protected void doStop() {
        watchdog.close();
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        if (!stopping) {
            stopping = true;
            long waiting = schedule.snapshot().size();
            if (waiting > 0) {
                LOG.info("{} recording(s) waiting to retry keep their markers and are sent after the next start", waiting);
            }
        }
        watchdog.abortAll();
    }

    boolean stopping() {
        return stopping;
    }

    UploadWatchdog watchdog() {
        return watchdog;
    }

    /** From the file consumer's body to a {@link Recording} property; its headers are dropped. */
    static void takeMarker(Exchange exchange) {
        File marker = exchange.getIn().getBody(File.class);
        Recording r = Recording.ofMarker(marker.toPath().toAbsolutePath());
        exchange.setProperty(RECORDING, r);
        exchange.getIn().removeHeaders("*");
        exchange.getIn().setBody(r.id());
    }

    /** Another run (push --once, an admin) dealt with it since the poll. */
    boolean markerGone(Exchange exchange) {
        if (Files.exists(recording(exchange).marker(), LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        done(exchange, "gone");
        return true;
    }

    boolean tarMissing(Exchange exchange) {
        return !Files.exists(recording(exchange).tar(), LinkOption.NOFOLLOW_LINKS);
    }

    void missingTar(Exchange exchange) throws IOException {
        Recording r = recording(exchange);
        LOG.warn("{}: no {} beside its marker; removing {} (the hook writes the tar before the marker: "
                + "re-run it to send this recording again)", r.id(), r.tar(), r.marker().getFileName());
        Files.deleteIfExists(r.marker());
        schedule.forget(r.id());
        metrics.missingTar();
        done(exchange, "missing_tar");
    }

    /**
     * Builds a fresh multipart body for each attempt (also run by Camel before every redelivery):
     * the tar is looked at without following links and must be a regular file.
     */
    @Override
    public void process(Exchange exchange) throws UploadFailure, IOException {
        Recording r = recording(exchange);
        if (stopping) {
            exchange.setRouteStop(true);
            done(exchange, "pending");
            return;
        }
        BasicFileAttributes a = Files.readAttributes(r.tar(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new UploadFailure.Permanent(0, r.tar() + " is " + (a.isSymbolicLink() ? "a symbolic link" : "not a regular file")
                    + "; refusing to send it: replace it with the recording's tar file");
        }
        MultipartTarEntity body = config.b3lb()
                ? B3lbRequest.entity(exchange, r, a.size(), config.field(), config.endpoint())
                : MultipartTarEntity.of(r, a.size(), config.field(), new UploadProgress(r, a.size()));
        exchange.setProperty(PROGRESS, body.progress());
        exchange.getIn().setBody(body);
        watchdog.watch(body.progress());
    }

    /** A 2xx: touch the tar (retention counts from now), then delete the marker. */
    void uploaded(Exchange exchange) {
        Recording r = recording(exchange);
        UploadProgress p = exchange.getProperty(PROGRESS, UploadProgress.class);
        watchdog.done(p);
        Duration took = Duration.ofNanos(System.nanoTime() - p.startNanos());
        exchange.getIn().setBody(null);
        try {
            // the view is taken without following links: only the regular file that was sent is touched
            Files.getFileAttributeView(r.tar(), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(Instant.now()), null, null);
        } catch (IOException e) {
            LOG.warn("{}: uploaded, but cannot touch {} ({}); the cleanup counts its retention from the older mtime",
                    r.id(), r.tar(), e.toString());
        }
        try {
            Files.deleteIfExists(r.marker());
            schedule.succeeded(r.id());
        } catch (IOException e) {
            // the marker is the only record that this recording still needs sending, so it stays;
            // waiting max-delay keeps a read-only directory from re-sending it every poll
            Duration wait = schedule.rejected(r.id(), "uploaded, but the marker cannot be deleted");
            LOG.error("{}: uploaded, but cannot delete {} ({}); it is sent again in {} unless the service's user may "
                    + "delete files in {} (with systemd: ReadWritePaths= must list b3lb.recording-dir)",
                    r.id(), r.marker(), e.toString(), Sizes.duration(wait), r.marker().getParent());
        }
        metrics.success(p.total(), took);
        int status = p.status();
        LOG.info("uploaded {}: {} in {} ({} MB/s){}", r.id(), Sizes.bytes(p.total()), Sizes.duration(took),
                Sizes.mbPerSecond(p.total(), took.toNanos() / 1e9), status == 200 ? "" : " HTTP " + status);
        done(exchange, "success");
    }

    void done(Exchange exchange, String outcome) {
        exchange.setProperty(OUTCOME, outcome);
        outcomes.accept(recording(exchange).id(), outcome);
    }

    static Recording recording(Exchange exchange) {
        return exchange.getProperty(RECORDING, Recording.class);
    }
}
