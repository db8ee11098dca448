package org.b3lb.node.upload;

import java.util.function.BiConsumer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;

/**
 * Route {@code upload}: polls {@code b3lb.recording-dir} for {@code <id>.ready} markers and posts
 * each {@code <id>.tar} to B3LB with camel-http, {@code b3lb.upload.concurrency} at a time.
 *
 * <p>The file consumer runs with {@code noop} and without an idempotent repository: it never
 * moves, renames or deletes anything (the route deletes a marker after a 2xx) and a marker that
 * failed is seen again on later polls. Camel's in-progress repository keeps a marker out of new
 * polls while its exchange runs; {@link PollGate} keeps it out while its backoff runs, and lets a
 * poll list the directory only when that can find work and the route has room for a batch, and
 * none while {@link UploadPause} says so.
 */
public final class UploadRoute extends RouteBuilder {

    public static final String ROUTE_ID = "upload";

    private final UploadConfig config;
    private final RecordingSchedule schedule;
    private final Attempt attempt;
    private final Failures failures;
    private final UploadHttp http;
    private final MarkerAudit audit;
    private final UploadPause pause;

    /** The service's route: starts no upload while {@code pause} says so. */
    public UploadRoute(UploadConfig config, UploadMetrics metrics, UploadPause pause) {
        this(config, metrics, (id, outcome) -> { }, pause);
    }

    /** @param outcomes told each recording's outcome (success, failed, missing_tar, deferred, pending, gone, abandoned) */
    UploadRoute(UploadConfig config, UploadMetrics metrics, BiConsumer<String, String> outcomes, UploadPause pause) {
        this.config = config;
        this.pause = pause;
        this.schedule = new RecordingSchedule(new Backoff(config.initialDelay(), config.maxDelay()), config.pollDelay(),
                System::currentTimeMillis);
        this.attempt = new Attempt(config, metrics, schedule, outcomes);
        this.failures = new Failures(config, metrics, schedule, attempt);
        this.http = new UploadHttp(config, NodeSecret.of(config, schedule));
        this.audit = new MarkerAudit(config.recordingDir());
        metrics.watch(audit);
        metrics.watch(pause);
        metrics.maxRate(config.maxRate());
    }

    /**
     * Markers one poll takes at most. The route holds at most twice this many exchanges (queued
     * for a worker or running), about 3 KB each: the memory bound of a backlog. Large enough that
     * a listing of a 200,000-entry directory is paid once per 2,000 uploads, not once per few.
     */
    int batch() {
        return Math.max(2000, 25 * config.concurrency());
    }

    @Override
    public void configure() {
        http.giveConnectionsTo(getContext());
        attempt.camel = getContext();
        bindToRegistry("uploadHttpConfigurer", http);
        PollGate gate = new PollGate(audit, schedule, () -> getContext().getInflightRepository().size(ROUTE_ID),
                batch(), System::currentTimeMillis, pause);
        bindToRegistry("uploadPollGate", gate);
        bindToRegistry("uploadInProgress", new InProgressMarkers());
        // whether and how long to wait in the route is Failures.retryInRoute's (retryWhile, then the schedule's
        // backoff as Exchange.REDELIVERY_DELAY, which Camel's RedeliveryErrorHandler takes over the policy's delay);
        // a stop ends a worker's wait within a second (Camel checks while it sleeps); the marker stays
        bindToRegistry("uploadRedeliveryPolicy", new RedeliveryPolicy().allowRedeliveryWhileStopping(false).logRetryAttempted(false)
                .logExhausted(false).logStackTrace(false).logRetryStackTrace(false).logHandled(false));

        errorHandler(defaultErrorHandler().allowRedeliveryWhileStopping(false));
        onException(Exception.class)
                .onExceptionOccurred(failures::classify)
                .retryWhile(failures::retryInRoute)
                .redeliveryPolicyRef("uploadRedeliveryPolicy")
                .onRedelivery(failures::redeliver)
                .handled(true)
                .process(failures::settle);

        // Camel's file component with a listing bounded whatever the directory holds (MarkerAudit.list)
        bindToRegistry(MarkerComponent.SCHEME, new MarkerComponent(audit));
        from(MarkerComponent.SCHEME + ":" + config.recordingDir() + "?noop=true&idempotent=false&readLock=none"
                + "&autoCreate=false&startingDirectoryMustExist=false&directoryMustExist=false"
                + "&filter=#uploadPollGate&pollStrategy=#uploadPollGate&inProgressRepository=#uploadInProgress"
                + "&maxMessagesPerPoll=" + batch() + "&eagerMaxMessagesPerPoll=true&greedy=true"
                + "&initialDelay=" + Math.min(1000, config.pollDelay().toMillis()) + "&delay=" + config.pollDelay().toMillis())
                .routeId(ROUTE_ID)
                .description("uploads <id>.tar for each <id>.ready in b3lb.recording-dir to b3lb.upload.endpoint")
                .threads(config.concurrency(), config.concurrency()).maxQueueSize(2 * batch()).threadName("upload")
                .process(Attempt::takeMarker)
                .choice()
                    .when(attempt::markerGone).stop()
                    .when(attempt::tarMissing).process(attempt::missingTar).stop()
                    // queued before the pause: ends without a request, the marker stays for the first poll after it
                    .when(exchange -> pause.paused()).process(exchange -> gate.listAgain()).stop()
                .end()
                .process(attempt)
                .to("{{b3lb.upload.endpoint}}" + (config.endpoint().getRawQuery() == null ? "?" : "&")
                        + "httpClientConfigurer=#uploadHttpConfigurer&throwExceptionOnFailure=true&followRedirects=false"
                        // POST always: camel-http would pick GET for b3lb's ?nonce= (the CamelHttpQuery header)
                        + "&httpMethod=POST&skipRequestHeaders=true&skipResponseHeaders=true"
                        + "&userAgent=b3lb-node&responseTimeout=" + config.idleTimeout().toMillis())
                .process(attempt::uploaded);
    }

    public UploadPause pause() {
        return pause;
    }

    public RecordingSchedule schedule() {
        return schedule;
    }

    /** The route's view of the recording directory: push --once lists by it what the route will take. */
    MarkerAudit audit() {
        return audit;
    }
}
