package org.b3lb.node.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.b3lb.node.config.ProtocolInUse;
import org.b3lb.node.upload.UploadHealthCheck;
import org.b3lb.node.upload.RecordingSchedule;
import org.b3lb.node.upload.Waiting;
import org.apache.camel.Route;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;

/**
 * Everything {@code b3lb-node status} shows, gathered in the running service as one JSON object:
 * the routes, the health checks with what their details know (load figure, pause, cleanup passes),
 * the meters, the recording directory (the same cached scan the gauges read) and, through
 * {@link RecordingSchedule}, the upload route's view of each waiting recording. {@code status} is {@code UP} or {@code DEGRADED}, with the reasons in
 * {@code problems}; a pause of the uploads ({@code uploads.paused}) is none.
 */
public final class NodeStatus {

    /** A recording waiting this long, or with a failed attempt, is listed as stuck. */
    public static final Duration STUCK_AFTER = Duration.ofMinutes(10);

    private final CamelContext camel;
    private final MeterRegistry meters;
    private final PendingRecordings pending;
    private final String version;
    private final Clock clock;

    public NodeStatus(CamelContext camel, MeterRegistry meters, PendingRecordings pending, String version, Clock clock) {
        this.camel = camel;
        this.meters = meters;
        this.pending = pending;
        this.version = version;
        this.clock = clock;
    }

    public JsonObject snapshot() {
        Instant now = clock.instant();
        List<String> problems = new ArrayList<>();
        JsonObject s = new JsonObject();
        s.put("status", "UP");
        s.put("problems", problems);
        s.put("version", version);
        s.put("pid", ProcessHandle.current().pid());
        Instant started = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        s.put("startedAt", started.toString());
        s.put("uptimeSeconds", Duration.between(started, now).toSeconds());
        ProtocolInUse protocol = camel.getRegistry().lookupByNameAndType(ProtocolInUse.BEAN_NAME, ProtocolInUse.class);
        s.put("protocol", protocol == null ? null : protocol.key());
        s.put("endpoint", protocol == null ? null : protocol.endpoint());
        s.put("routes", routes());
        List<HealthCheck.Result> checks = checks();
        s.put("health", health(checks, problems));
        JsonObject load = new JsonObject();
        // the sampler the load endpoint answers from; absent while the load check is DOWN, a problem already
        load.put("percent", detail(checks, "load", "load.percent"));
        s.put("load", load);
        String paused = paused(checks);
        s.put("pending", pending(now, problems, paused != null));
        s.put("uploads", uploads(checks, paused));
        s.put("cleanup", cleanup(checks));
        s.put("disk", disk(problems));
        if (!problems.isEmpty()) {
            s.put("status", "DEGRADED");
        }
        return s;
    }

    private JsonArray routes() {
        JsonArray a = new JsonArray();
        camel.getRoutes().stream().sorted(Comparator.comparing(Route::getRouteId)).forEach(r -> {
            JsonObject o = new JsonObject();
            o.put("id", r.getRouteId());
            o.put("state", String.valueOf(camel.getRouteController().getRouteStatus(r.getRouteId())));
            o.put("autoStartup", !Boolean.FALSE.equals(r.isAutoStartup()));
            a.add(o);
        });
        return a;
    }

    private List<HealthCheck.Result> checks() {
        List<HealthCheck.Result> results = new ArrayList<>(HealthCheckHelper.invoke(camel));
        results.sort(Comparator.comparing(r -> r.getCheck().getId()));
        return results;
    }

    private static JsonArray health(List<HealthCheck.Result> results, List<String> problems) {
        JsonArray a = new JsonArray();
        for (HealthCheck.Result r : results) {
            JsonObject o = new JsonObject();
            o.put("id", r.getCheck().getId());
            o.put("state", r.getState().name());
            r.getMessage().ifPresent(m -> o.put("message", m));
            a.add(o);
            if (r.getState() == HealthCheck.State.DOWN) {
                problems.add("health check " + r.getCheck().getId() + " is DOWN" + r.getMessage().map(m -> ": " + m).orElse(""));
            }
        }
        return a;
    }

    /** Why no new upload starts, from the upload check's details; null when uploads are not paused. */
    private static String paused(List<HealthCheck.Result> checks) {
        Object why = detail(checks, "upload", UploadHealthCheck.PAUSED);
        return why == null || "no".equals(why) ? null : why.toString();
    }

    /** One detail of one check, or null when the check is not bound or does not give it. */
    private static Object detail(List<HealthCheck.Result> checks, String id, String key) {
        return checks.stream().filter(r -> r.getCheck().getId().equals(id)).map(r -> r.getDetails().get(key))
                .filter(v -> v != null).findFirst().orElse(null);
    }

    /** A pause is intended: it makes no problem, and recordings waiting for its end are not stuck. */
    private JsonObject uploads(List<HealthCheck.Result> checks, String paused) {
        JsonObject o = new JsonObject();
        o.put("enabled", checks.stream().anyMatch(r -> r.getCheck().getId().equals("upload")));
        o.put("paused", paused != null);
        o.put("pausedBecause", paused);
        o.put("waiting", pending.scan().count());
        return o;
    }

    private JsonObject pending(Instant now, List<String> problems, boolean paused) {
        PendingRecordings.Scan scan = pending.scan();
        RecordingSchedule states = camel.getRegistry().lookupByNameAndType(RecordingSchedule.BEAN_NAME, RecordingSchedule.class);
        JsonObject o = new JsonObject();
        o.put("dir", pending.dir().toString());
        o.put("count", scan.count());
        o.put("totalBytes", scan.totalBytes());
        o.put("oldestAgeSeconds", scan.oldestAge(now).toSeconds());
        o.put("stuckAfterSeconds", STUCK_AFTER.toSeconds());
        o.put("statesKnown", states != null);
        o.put("unmarked", scan.unmarked());
        if (scan.error() != null) {
            o.put("error", scan.error());
            if (problems.stream().noneMatch(p -> p.endsWith(scan.error()))) { // the upload check's own words, DOWN
                problems.add(scan.error());
            }
        }
        if (scan.unmarked() > 0) {
            problems.add(scan.unmarked() + (scan.unmarked() == 1 ? " recording is" : " recordings are")
                    + " not uploaded and not marked: nothing uploads or deletes them; b3lb-node clean --dry-run --verbose"
                    + " shows the command that marks each");
        }
        JsonArray stuck = new JsonArray();
        for (PendingRecordings.Entry e : scan.oldest()) {
            Optional<Waiting> st = states == null ? Optional.empty() : states.waiting(e.id());
            Duration age = Duration.between(e.markedAt(), now);
            boolean failed = st.map(x -> x.lastError() != null).orElse(false);
            if (!failed && (paused || age.compareTo(STUCK_AFTER) < 0)) {
                continue;
            }
            JsonObject r = new JsonObject();
            r.put("id", e.id());
            r.put("bytes", e.tarBytes() < 0 ? null : e.tarBytes());
            r.put("ageSeconds", age.toSeconds());
            r.put("attempts", st.map(Waiting::failures).orElse(null));
            r.put("lastError", st.map(Waiting::lastError).orElse(null));
            r.put("nextAttempt", st.map(Waiting::nextAttempt).map(Instant::toString).orElse(null));
            stuck.add(r);
        }
        o.put("stuck", stuck);
        o.put("listedOf", Math.min(scan.count(), PendingRecordings.KEPT));
        if (!stuck.isEmpty()) {
            problems.add(stuck.size() + " recording" + (stuck.size() == 1 ? "" : "s") + " stuck (waiting over "
                    + STUCK_AFTER.toMinutes() + " min or failed)");
        }
        return o;
    }

    /**
     * From the cleanup check's details (its last pass, its cron's next fire time); the next pass only
     * while the route runs, as Quartz fires none for a stopped or suspended route. The counters are the meters'.
     */
    private JsonObject cleanup(List<HealthCheck.Result> checks) {
        JsonObject o = new JsonObject();
        o.put("lastPassAt", instant(detail(checks, "cleanup", "last_pass"))); // else "none since start-up at ..."
        o.put("lastPassDurationSeconds", detail(checks, "cleanup", "last_pass_seconds"));
        o.put("deletedSinceStart", (long) counter("b3lb.cleanup.deleted"));
        o.put("freedBytesSinceStart", (long) counter("b3lb.cleanup.freed"));
        o.put("errorsSinceStart", (long) counter("b3lb.cleanup.errors"));
        ServiceStatus route = camel.getRouteController().getRouteStatus("cleanup");
        o.put("nextPassAt", route == null || !route.isStarted() ? null : instant(detail(checks, "cleanup", "next_pass")));
        return o;
    }

    /** A detail that is an instant, or null for the words a check gives instead ("never", "none since ..."). */
    private static String instant(Object detail) {
        try {
            return detail == null ? null : Instant.parse(detail.toString()).toString();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private JsonObject disk(List<String> problems) {
        JsonObject o = new JsonObject();
        o.put("dir", pending.dir().toString());
        try {
            FileStore fs = Files.getFileStore(pending.dir());
            o.put("freeBytes", fs.getUsableSpace());
            o.put("totalBytes", fs.getTotalSpace());
        } catch (IOException | RuntimeException e) {
            o.put("error", "cannot read the filesystem of " + pending.dir() + ": " + e.getMessage());
            problems.add(String.valueOf(o.get("error")));
        }
        return o;
    }

    private double counter(String name) {
        Counter c = meters.find(name).counter();
        return c == null ? 0 : c.count();
    }
}
