package org.b3lb.node.upload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.b3lb.node.config.ProtocolInUse;
import org.b3lb.node.layout.RecordingLayout;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * {@code upload} in /observe/health: DOWN only when nothing can pass until an admin acts: B3LB
 * refused this node (401/403/404) on the last attempt of a recording, with no upload getting
 * through since, or the recording directory is missing, not a directory, or not writable (the
 * route deletes markers there). Transient failures (timeouts, 5xx) only show in the details: the
 * route retries them by itself, and a flapping check would page an admin for a B3LB restart.
 * Bound only when upload is enabled.
 */
public final class UploadHealthCheck extends AbstractHealthCheck {

    public static final String BEAN_NAME = "uploadHealthCheck";
    /** The detail saying why no new upload starts, or "no"; status shows it. */
    public static final String PAUSED = "paused";

    private final Path dir;
    private final RecordingSchedule schedule;
    private final ProtocolInUse protocol;
    private final UploadPause pause;

    /** A pause is intended: it shows in the details ({@code paused}), never as DOWN. */
    public UploadHealthCheck(UploadConfig config, RecordingSchedule schedule, UploadPause pause) {
        super("b3lb", "upload");
        this.pause = pause;
        this.dir = config.recordingDir();
        this.schedule = schedule;
        this.protocol = ProtocolInUse.of(config.protocol(), config.endpoint());
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<Waiting> waiting = schedule.snapshot();
        Instant lastSuccess = schedule.lastSuccess();
        builder.detail("protocol", protocol.key());
        builder.detail("endpoint", protocol.endpoint());
        builder.detail("waiting", waiting.size());
        builder.detail("waiting_transient", waiting.stream().filter(w -> !w.refused()).count());
        builder.detail("waiting_refused", waiting.stream().filter(Waiting::refused).count());
        waiting.stream().map(Waiting::firstFailure).min(Comparator.naturalOrder())
                .ifPresent(t -> builder.detail("oldest_failing_since", t.toString()));
        builder.detail("last_success", lastSuccess == null ? "none since start-up" : lastSuccess.toString());
        UploadPause.State paused = pause.now();
        builder.detail(PAUSED, paused.paused() ? paused.why() : "no");
        String problem = RecordingLayout.dirProblem(dir);
        if (problem != null || !Files.isWritable(dir)) {
            // a marker the service cannot delete is uploaded again and again
            builder.message("recording directory " + dir + " " + (problem != null ? problem : "is not writable by the service's user, so"
                    + " uploaded markers cannot be deleted; fix its permissions (with systemd: ReadWritePaths= must list it)")).down();
            return;
        }
        List<Waiting> refused = waiting.stream()
                .filter(Waiting::refusedByB3lb)
                .filter(w -> lastSuccess == null || !w.lastFailure().isBefore(lastSuccess))
                .sorted(Comparator.comparing(Waiting::lastFailure).reversed())
                .toList();
        if (!refused.isEmpty()) {
            Waiting last = refused.get(0);
            builder.message("B3LB refuses this node's uploads (" + refused.size() + " recording(s), last " + last.id() + " at "
                    + last.lastFailure() + "): " + last.lastError()).down();
            return;
        }
        builder.up();
    }
}
