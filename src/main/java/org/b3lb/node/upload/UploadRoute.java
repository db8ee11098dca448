package org.b3lb.node.upload;

import java.io.File;
import java.nio.file.Files;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Route {@code upload}: polls {@code b3lb.recording-dir} for {@code <id>.ready} markers and sends
 * each {@code <id>.tar} to B3LB. The consumer runs with {@code noop} (it never moves, renames or
 * deletes anything; the attempt deletes a marker after a 2xx) and without an idempotent
 * repository, so a marker that failed is seen again on later polls; Camel's in-progress
 * repository keeps a marker out of new polls while its exchange (redeliveries included) runs,
 * and {@link ReadyMarkerFilter} keeps it out while its backoff runs.
 */
public final class UploadRoute extends RouteBuilder {

    public static final String ROUTE_ID = "upload";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UploadRoute.class);

    private final UploadConfig config;
    private final UploadMetrics metrics;
    private final String from;
    private final RecordingSchedule schedule;
    private final UploadAttempt attempt;

    /** The service's route: polls the recording directory. */
    public UploadRoute(UploadConfig config, UploadMetrics metrics) {
        this(config, metrics, null);
    }

    /**
     * @param from an endpoint to take markers (as {@link File} bodies) from instead of polling,
     *             for {@code push --once}; null to poll the recording directory
     */
    public UploadRoute(UploadConfig config, UploadMetrics metrics, String from) {
        this.config = config;
        this.metrics = metrics;
        this.from = from;
        this.schedule = new RecordingSchedule(new Backoff(config.initialDelay(), config.maxDelay()), config.pollDelay(),
                System::currentTimeMillis);
        this.attempt = new UploadAttempt(config, metrics, schedule, this::consumerRunning);
    }

    @Override
    public void configure() throws Exception {
        errorHandler(defaultErrorHandler().allowRedeliveryWhileStopping(false));
        // Camel redelivers at once; the backoff (Retry-After included) is waited out by
        // UploadAttempt on a timer it can cancel, so a backing-off recording holds up neither the
        // poll, nor the other recordings, nor a shutdown.
        onException(UploadFailure.Transient.class)
                .maximumRedeliveries(config.maxRedeliveries())
                .redeliveryDelay(0)
                .logRetryAttempted(false).logExhausted(false).logStackTrace(false)
                .handled(true)
                .process(attempt::exhausted);
        onException(UploadFailure.Permanent.class, Exception.class)
                .maximumRedeliveries(0)
                .logExhausted(false).logStackTrace(false)
                .handled(true)
                .process(attempt::rejected);

        String uri = from;
        if (uri == null) {
            if (!Files.isDirectory(config.recordingDir())) {
                LOG.warn("recording directory {} does not exist (b3lb.recording-dir); nothing is uploaded until it does: "
                        + "create it or fix the setting", config.recordingDir());
            }
            bindToRegistry("uploadMarkerFilter", new ReadyMarkerFilter(schedule));
            long delay = config.pollDelay().toMillis();
            uri = "file:" + config.recordingDir()
                    + "?antInclude=*" + Recording.MARKER_SUFFIX
                    + "&noop=true&idempotent=false&readLock=none"
                    + "&autoCreate=false&startingDirectoryMustExist=false"
                    + "&sortBy=file:modified"
                    + "&filter=#uploadMarkerFilter"
                    + "&initialDelay=" + Math.min(1000, delay) + "&delay=" + delay;
        }
        from(uri).routeId(ROUTE_ID)
                .description("uploads <id>.tar for each <id>.ready in b3lb.recording-dir to b3lb.upload.endpoint")
                .process(UploadRoute::recording)
                .process(attempt);

        StopNotifier stop = new StopNotifier(attempt);
        getContext().getManagementStrategy().addEventNotifier(stop);
        ServiceHelper.startService(stop);
    }

    /**
     * False once this route's consumer stops (route stopped over JMX, or shutdown): Camel stops the
     * consumer first and then waits for in-flight exchanges, which is the moment to end backoffs.
     */
    private boolean consumerRunning() {
        org.apache.camel.Route route = getContext().getRoute(ROUTE_ID);
        if (route == null || !(route.getConsumer() instanceof org.apache.camel.StatefulService s)) {
            return true;
        }
        return s.isStarting() || s.isStarted();
    }

    /** Moves what the attempt needs into a property and drops the file consumer's headers. */
    static void recording(Exchange exchange) {
        File marker = exchange.getIn().getBody(File.class);
        Recording r = Recording.ofMarker(marker.toPath().toAbsolutePath());
        exchange.setProperty(UploadAttempt.RECORDING, r);
        exchange.getIn().removeHeaders("*");
        exchange.getIn().setBody(r.id());
    }

    public UploadMetrics metrics() {
        return metrics;
    }

    /** Shutdown begins with the context: abort transfers and backoffs now instead of letting Camel wait for them. */
    private static final class StopNotifier extends EventNotifierSupport {
        private final UploadAttempt attempt;

        StopNotifier(UploadAttempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public boolean isEnabled(CamelEvent event) {
            return event instanceof CamelEvent.CamelContextStoppingEvent;
        }

        @Override
        public void notify(CamelEvent event) {
            attempt.prepareStop();
        }
    }
}
