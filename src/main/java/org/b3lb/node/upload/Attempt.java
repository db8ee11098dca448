package org.b3lb.node.upload;

import org.b3lb.node.config.Sizes;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.ShutdownPrepared;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.service.ServiceSupport;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the route that touch files: take a marker, build the request body, finish a
 * success. As the route's {@link ShutdownPrepared} service it learns when the route stops (over
 * JMX or at shutdown, after the consumer stopped): running transfers are aborted at once and
 * queued exchanges end without a request; every marker stays. A marker is deleted only after a
 * 2xx for exactly the version sent, once its evidence is written ({@link Delivered}), or when the
 * tar is missing: a crash at any point leaves the marker.
 */
final class Attempt extends ServiceSupport implements Processor, ShutdownPrepared {

    private static final Logger LOG = LoggerFactory.getLogger(Attempt.class);

    /** Exchange properties: properties never leave the process. */
    static final String RECORDING = "b3lb.recording";
    static final String PROGRESS = "b3lb.progress";
    /** The attempt's {@link SentFiles}, closed when the exchange ends. */
    static final String FILES = "b3lb.files";
    /** success, failed, missing_tar, gone, deferred (back to the poll tier), pending (left at a stop) or abandoned (b3lb: never taken). */
    static final String OUTCOME = "b3lb.outcome";
    static final String FAILURE = "b3lb.failure";
    /** A 2xx status line arrived before the failure: stored at the server. */
    static final String ANSWERED_OK = "b3lb.answeredOk";
    /** The poll tier's wait computed at the failure, so the log says exactly what the schedule holds. */
    static final String WAIT = "b3lb.wait";

    private final UploadConfig config;
    private final UploadMetrics metrics;
    private final RecordingSchedule schedule;
    private final BiConsumer<String, String> outcomes;
    /** b3lb.upload.max-rate, shared by every upload of the route; null: no cap. */
    private final UploadRate rate;
    private volatile UploadWatchdog watchdog;
    private volatile boolean stopping;
    /** Set by the route's configure(): the watchdog's thread comes from its executor service manager. */
    CamelContext camel;

    Attempt(UploadConfig config, UploadMetrics metrics, RecordingSchedule schedule, BiConsumer<String, String> outcomes) {
        this.config = config;
        this.metrics = metrics;
        this.schedule = schedule;
        this.outcomes = outcomes;
        this.rate = config.maxRate() > 0 ? new UploadRate(config.maxRate()) : null;
    }

    @Override
    protected void doStart() {
        stopping = false;
        schedule.clear(); // an admin (re)starting the route expects every marker to be tried now
        watchdog = new UploadWatchdog(config.idleTimeout(), camel.getExecutorServiceManager());
    }

    @Override
    protected void doStop() {
        if (watchdog != null) { // null when the route never started (a failed start stops every service)
            watchdog.close();
        }
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
        if (watchdog != null) {
            watchdog.abortAll();
        }
    }

    boolean stopping() {
        return stopping;
    }

    UploadWatchdog watchdog() {
        return watchdog;
    }

    /** From the file consumer's body to a {@link RecordingFiles} property; its headers are dropped. */
    static void takeMarker(Exchange exchange) {
        File marker = exchange.getIn().getBody(File.class);
        RecordingFiles r = RecordingFiles.ofMarker(marker.toPath().toAbsolutePath());
        exchange.setProperty(RECORDING, r);
        exchange.getIn().removeHeaders("*");
        exchange.getIn().setBody(r.id());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange e) {
                closeFiles(e); // whatever the last attempt opened
            }
        });
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
        RecordingFiles r = recording(exchange);
        LOG.warn("{}: no {} beside its marker; removing {} (the hook writes the tar before the marker: "
                + "re-run it to send this recording again)", r.id(), r.tar(), r.marker().getFileName());
        Files.deleteIfExists(r.marker());
        schedule.forget(r.id());
        metrics.missingTar();
        done(exchange, "missing_tar");
    }

    /**
     * Builds a fresh multipart body for each attempt (also run by Camel before every redelivery)
     * from the files as they are now: looked at with lstat, opened, their versions kept
     * ({@link SentFiles}) until the exchange ends. A tar that is still changing (the rule of
     * {@link PollGate}'s filter, asked again here because a redelivery does not pass the filter)
     * sends the recording back to the poll tier.
     */
    @Override
    public void process(Exchange exchange) throws UploadFailure, IOException {
        RecordingFiles r = recording(exchange);
        closeFiles(exchange);
        if (stopping) {
            exchange.setRouteStop(true);
            done(exchange, "pending");
            return;
        }
        SentFiles files = SentFiles.open(r, config.b3lb());
        exchange.setProperty(FILES, files);
        FileIdentity tar = files.tar().identity();
        if (!schedule.stable(r.id(), tar.size(), tar.mtimeNanos() / 1_000_000)) {
            throw UploadFailure.Transient.changing(r.tar().getFileName() + " is still changing; sent once it stops changing");
        }
        if (config.b3lb()) {
            B3lbProtocol.query(exchange, files.nonce(), config.endpoint());
        }
        MultipartTarEntity body = MultipartTarEntity.of(r, files, config.field(), rate);
        exchange.setProperty(PROGRESS, body.progress());
        exchange.getIn().setBody(body);
        watchdog.watch(body.progress());
    }

    private static void closeFiles(Exchange exchange) {
        SentFiles f = exchange.getProperty(FILES, SentFiles.class);
        if (f != null) {
            exchange.removeProperty(FILES);
            f.close();
        }
    }

    /**
     * A 2xx. A success only for exactly the version sent: the evidence for it (synced), then the
     * marker, if it is still the one the attempt started with. A file changed in place is no
     * success; a newer version renamed into place keeps the marker and is sent next.
     *
     * @throws UploadFailure.Transient when a file changed during the send
     */
    void uploaded(Exchange exchange) throws UploadFailure {
        RecordingFiles r = recording(exchange);
        UploadProgress p = exchange.getProperty(PROGRESS, UploadProgress.class);
        SentFiles files = exchange.getProperty(FILES, SentFiles.class);
        watchdog.done(p);
        Duration took = Duration.ofNanos(System.nanoTime() - p.startNanos());
        exchange.getIn().setBody(null);
        SentFiles.Change change = files.check();
        if (change == SentFiles.Change.CHANGED) {
            throw UploadFailure.Transient.changing(files.changedMessage() + " (the server answered HTTP " + p.status()
                    + " for a body that is no version of it)");
        }
        metrics.success(p.tarSent(), took);
        String line = Sizes.bytes(p.tarSent()) + " in " + Sizes.duration(took) + " ("
                + Sizes.mbPerSecond(p.tarSent(), took.toNanos() / 1e9) + " MB/s)" + (p.status() == 200 ? "" : " HTTP " + p.status());
        schedule.succeeded(r.id());
        if (change == SentFiles.Change.REPLACED) {
            schedule.again(r.id());
            LOG.info("uploaded an older version of {}: {}; a newer {} was put in place during the send: the marker stays and the "
                    + "newer version is sent next", r.id(), line, files.replaced());
            done(exchange, "deferred");
            return;
        }
        if (Delivered.finish(r, files, schedule)) {
            LOG.info("uploaded {}: {}", r.id(), line);
            done(exchange, "success");
        } else {
            done(exchange, "failed");
        }
    }

    void done(Exchange exchange, String outcome) {
        exchange.setProperty(OUTCOME, outcome);
        outcomes.accept(recording(exchange).id(), outcome);
    }

    static RecordingFiles recording(Exchange exchange) {
        return exchange.getProperty(RECORDING, RecordingFiles.class);
    }
}
