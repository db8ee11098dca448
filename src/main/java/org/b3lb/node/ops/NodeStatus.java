package org.b3lb.node.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.b3lb.node.cleanup.CleanupHealthCheck;
import org.b3lb.node.cleanup.CleanupPass;
import org.b3lb.node.cleanup.CleanupResult;
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
 * what Camel knows (routes, health checks, the cleanup's Quartz trigger), the meters, the
 * recording directory and, through {@link RecordingSchedule}, the upload route's view of each
 * waiting recording. {@code status} is {@code UP} or {@code DEGRADED}, with the reasons in
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
        s.put("load", load(checks, problems));
        String paused = paused(checks);
        s.put("pending", pending(now, problems, paused != null));
        s.put("uploads", uploads(checks, paused));
        s.put("cleanup", cleanup());
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

    /** From the load check's details (the sampler the endpoint answers from), else the meter. */
    private JsonObject load(List<HealthCheck.Result> checks, List<String> problems) {
        JsonObject o = new JsonObject();
        Object detail = checks.stream().filter(r -> r.getCheck().getId().equals("load"))
                .map(r -> r.getDetails().get("load.percent")).filter(v -> v instanceof Number).findFirst().orElse(null);
        Gauge g = meters.find("b3lb.load.percent").gauge();
        double p = detail != null ? ((Number) detail).doubleValue() : g == null ? -1 : g.value();
        o.put("percent", p < 0 || Double.isNaN(p) ? null : Math.round(p * 100) / 100.0);
        if (o.get("percent") == null) {
            problems.add("the load figure cannot be read");
        }
        return o;
    }

    /** Why no new upload starts, from the upload check's details; null when uploads are not paused. */
    private static String paused(List<HealthCheck.Result> checks) {
        Object why = checks.stream().filter(r -> r.getCheck().getId().equals("upload"))
                .map(r -> r.getDetails().get(UploadHealthCheck.PAUSED)).filter(v -> v != null).findFirst().orElse(null);
        return why == null || "no".equals(why) ? null : why.toString();
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
            problems.add(scan.error());
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

    private JsonObject cleanup() {
        JsonObject o = new JsonObject();
        // from the pass itself: the last-pass gauge starts at the start-up time so that alerts on its age
        // do not fire before the first pass, which would read here as a pass that never ran
        CleanupPass pass = camel.getRegistry().lookupByNameAndType("cleanupPass", CleanupPass.class);
        CleanupResult last = pass == null ? null : pass.lastResult();
        o.put("lastPassAt", last == null ? null : last.startedAt().toString());
        o.put("lastPassDurationSeconds", last == null ? null : last.durationMillis() / 1000.0);
        o.put("deletedSinceStart", (long) counter("b3lb.cleanup.deleted"));
        o.put("freedBytesSinceStart", (long) counter("b3lb.cleanup.freed"));
        o.put("errorsSinceStart", (long) counter("b3lb.cleanup.errors"));
        o.put("nextPassAt", nextCleanup());
        return o;
    }

    /** The cleanup's own next pass (its cron in its zone), while the route runs: a stopped route has none. */
    private String nextCleanup() {
        CleanupHealthCheck check = camel.getRegistry().lookupByNameAndType("cleanupHealthCheck", CleanupHealthCheck.class);
        if (check == null || camel.getRoute("cleanup") == null
                || !camel.getRouteController().getRouteStatus("cleanup").isStarted()) {
            return null;
        }
        Instant next = check.nextPass();
        return next == null ? null : next.toString();
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
