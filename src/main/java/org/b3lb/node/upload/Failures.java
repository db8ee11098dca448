package org.b3lb.node.upload;

import org.b3lb.node.config.Sizes;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.b3lb.node.layout.RecordingFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hooks of the route's {@code onException}. A wait stays in the route (Camel's synchronous
 * redelivery sleeps on the Threads EIP worker, which keeps the concurrency bound) only while it is
 * at most {@link #IN_ROUTE_MAX}, the server sent no Retry-After and fewer than max-redeliveries
 * attempts in a row failed; everything else ends the exchange and {@link RecordingSchedule} holds
 * the recording back, so a worker never sleeps through a Retry-After while other recordings wait.
 */
final class Failures {

    private static final Logger LOG = LoggerFactory.getLogger(Failures.class);
    static final Duration IN_ROUTE_MAX = Duration.ofSeconds(5);

    private final UploadConfig config;
    private final UploadMetrics metrics;
    private final RecordingSchedule schedule;
    private final Attempt attempt;

    Failures(UploadConfig config, UploadMetrics metrics, RecordingSchedule schedule, Attempt attempt) {
        this.config = config;
        this.metrics = metrics;
        this.schedule = schedule;
        this.attempt = attempt;
    }

    /** onExceptionOccurred: what went wrong, in words for the admin. A 2xx status line means stored. */
    void classify(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        RecordingFiles r = Attempt.recording(exchange);
        UploadProgress p = exchange.getProperty(Attempt.PROGRESS, UploadProgress.class);
        boolean idle = p != null && attempt.watchdog().done(p);
        // a 2xx status line means stored, unless the failure is ours: a file that changed is no success whatever was answered
        if (p != null && FailureClassifier.success(p.status()) && !(e instanceof UploadFailure) && !(e instanceof SentFiles.ChangedException)) {
            exchange.setProperty(Attempt.ANSWERED_OK, true);
            LOG.debug("{}: HTTP {} arrived, then the answer broke off ({}); the server has stored it", r.id(), p.status(), e.toString());
            return;
        }
        exchange.setProperty(Attempt.FAILURE, describe(r, e, idle, p));
    }

    private UploadFailure describe(RecordingFiles r, Exception e, boolean idle, UploadProgress p) {
        String where = config.endpoint().getHost() + (config.endpoint().getPort() > 0 ? ":" + config.endpoint().getPort() : "");
        if (e instanceof UploadFailure f) {
            return f;
        }
        if (e instanceof HttpOperationFailedException h) {
            int status = h.getStatusCode();
            String raw = h.getResponseBody();
            String body = FailureClassifier.snippet(status, raw, config.secret());
            UploadFailure b3lb = config.b3lb() ? B3lbProtocol.failure(r, status, raw, body, config.endpoint()) : null;
            if (b3lb != null) {
                return b3lb;
            }
            if (FailureClassifier.transientStatus(status)) {
                String retryAfter = h.getResponseHeaders().entrySet().stream().filter(x -> x.getKey().equalsIgnoreCase("Retry-After"))
                        .map(x -> x.getValue()).findFirst().orElse(null);
                return new UploadFailure.Transient(status, FailureClassifier.retryAfter(retryAfter, Instant.now()), "HTTP " + status + body);
            }
            String hint = config.b3lb() ? FailureClassifier.hint(status) : B3lbProtocol.specHint(status, config.endpoint(), raw);
            return new UploadFailure.Permanent(status, "HTTP " + status + body + ": " + hint);
        }
        if (e instanceof SentFiles.ChangedException) {
            return UploadFailure.Transient.changing(e.getMessage());
        }
        UploadFailure tls = FailureClassifier.untrustedTls(e, config.endpoint());
        if (tls != null) {
            return tls;
        }
        if (idle) {
            return new UploadFailure.Transient(0, null, "no progress for " + Sizes.duration(config.idleTimeout())
                    + " after " + Sizes.bytes(p.tarSent()) + " of " + Sizes.bytes(p.total()) + " (b3lb.upload.idle-timeout): aborted");
        }
        Path file = e instanceof SentFiles.ReadException x ? x.path()
                : e instanceof NoSuchFileException n ? (n.getFile() == null ? r.tar() : Path.of(n.getFile())) : null;
        if (file != null) {
            Throwable c = e instanceof SentFiles.ReadException ? e.getCause() : e;
            if (c instanceof AccessDeniedException) {
                return new UploadFailure.Permanent(0, "cannot read " + file + ": permission denied; "
                        + "let the service's user read the recording directory");
            }
            if (c instanceof FileSystemException fs && fs.getReason() != null && fs.getReason().contains("symbolic link")) {
                return new UploadFailure.Permanent(0, file + " became a symbolic link; refusing to send it");
            }
            return new UploadFailure.Transient(0, null, "reading " + file + " failed: " + c);
        }
        if (e instanceof ConnectException || e instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
            return new UploadFailure.Transient(0, null, "cannot connect to " + where + ": " + text(e));
        }
        if (e instanceof SocketTimeoutException) {
            return new UploadFailure.Transient(0, null, "no answer from " + where + " within "
                    + Sizes.duration(config.idleTimeout()) + " (b3lb.upload.idle-timeout)");
        }
        if (e instanceof IOException) {
            String sent = p == null ? "" : " after " + Sizes.bytes(p.tarSent()) + " of " + Sizes.bytes(p.total());
            return new UploadFailure.Transient(0, null, "connection to " + where + " failed" + sent + ": " + text(e));
        }
        return new UploadFailure.Permanent(0, "failed unexpectedly: " + e);
    }

    private static String text(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** retryWhile: the wait is the schedule's, so the backoff keeps growing across exchanges of one recording. */
    boolean retryInRoute(Exchange exchange) {
        if (exchange.getProperty(Attempt.ANSWERED_OK) != null || attempt.stopping()
                || !(exchange.getProperty(Attempt.FAILURE) instanceof UploadFailure.Transient f)) {
            return false;
        }
        Duration wait = hold(exchange, f);
        int failures = schedule.failures(Attempt.recording(exchange).id());
        if (failures > config.maxRedeliveries() || f.retryAfter() != null || f.changing() || wait.compareTo(IN_ROUTE_MAX) > 0) {
            return false;
        }
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, wait.toMillis());
        retrying(exchange, f, failures, wait);
        return true;
    }

    /** Counts the failure on the schedule; a file that changed waits one poll, anything else the backoff. */
    private Duration hold(Exchange exchange, UploadFailure f) {
        Duration after = f instanceof UploadFailure.Transient t && !t.changing() ? t.retryAfter() : config.pollDelay();
        Duration wait = schedule.failed(Attempt.recording(exchange).id(), after, f.getMessage());
        exchange.setProperty(Attempt.WAIT, wait);
        return wait;
    }

    private void retrying(Exchange exchange, UploadFailure.Transient t, int failures, Duration wait) {
        metrics.retry();
        boolean capped = t.retryAfter() != null && t.retryAfter().compareTo(config.maxDelay()) > 0;
        LOG.warn("{}: upload failed: {}; retry {} of {} in {}{}", Attempt.recording(exchange).id(), t.getMessage(), failures,
                config.maxRedeliveries(), Sizes.duration(wait), t.retryAfter() == null ? "" : capped
                        ? " (server's Retry-After " + Sizes.duration(t.retryAfter()) + ", capped at b3lb.upload.max-delay)"
                        : " (server's Retry-After)");
    }

    /** onRedelivery: a body that cannot be built ends the exchange here, or Camel would send with the failure still set. */
    void redeliver(Exchange exchange) {
        try {
            attempt.process(exchange);
        } catch (Exception e) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
            classify(exchange);
            if (exchange.getProperty(Attempt.FAILURE) instanceof UploadFailure.Transient f) {
                hold(exchange, f);
            }
            settle(exchange);
            exchange.setRouteStop(true);
        }
    }

    /** The exchange is over and handled: success after all, left for a later poll, refused, or left at a stop. */
    void settle(Exchange exchange) {
        RecordingFiles r = Attempt.recording(exchange);
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (exchange.getProperty(Attempt.ANSWERED_OK) != null) {
            try {
                attempt.uploaded(exchange);
                return;
            } catch (UploadFailure changed) { // a file changed during the send: no success, the poll tier waits for it
                exchange.setProperty(Attempt.FAILURE, changed);
                hold(exchange, changed);
            }
        }
        exchange.getIn().setBody(null);
        if (attempt.stopping() || caught instanceof RejectedExecutionException) {
            LOG.info("{}: upload interrupted by a stop; it is sent again after the next start", r.id());
            attempt.done(exchange, "pending");
            return;
        }
        UploadFailure f = exchange.getProperty(Attempt.FAILURE, UploadFailure.class);
        if (f instanceof B3lbProtocol.Abandoned a) {
            B3lbProtocol.abandon(a, r, metrics, schedule);
            attempt.done(exchange, B3lbProtocol.ABANDONED);
            return;
        }
        if (!(f instanceof UploadFailure.Transient t)) {
            int status = f == null ? 0 : f.status();
            Duration wait = schedule.rejected(r.id(), f == null ? String.valueOf(caught) : f.getMessage(), status);
            metrics.failed();
            LOG.error("{}: upload refused: {}; the marker stays, next try in {}{}", r.id(), f == null ? caught : f.getMessage(),
                    Sizes.duration(wait), RecordingSchedule.forTheSecret(status)
                            ? ", or as soon as another upload gets through or the secret changes" : "");
            attempt.done(exchange, "failed");
            return;
        }
        int failures = schedule.failures(r.id());
        Duration wait = exchange.getProperty(Attempt.WAIT, schedule.remaining(r.id()), Duration.class);
        if (failures <= config.maxRedeliveries()) {
            retrying(exchange, t, failures, wait);
            attempt.done(exchange, "deferred");
            return;
        }
        metrics.failed();
        LOG.warn("{}: upload failed {} times in a row, last: {}; the marker stays, next try in {}", r.id(), failures,
                t.getMessage(), Sizes.duration(wait));
        attempt.done(exchange, "failed");
    }
}
