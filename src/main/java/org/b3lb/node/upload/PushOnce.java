package org.b3lb.node.upload;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.impl.DefaultCamelContext;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;

/**
 * {@code b3lb-node push --once}: the {@code upload} route itself, file consumer included, runs
 * until every marker present at the start has an outcome (same filter, retries, Retry-After and
 * success handling as the service), then a summary, then exit 0 only if nothing failed. For an
 * admin after fixing the secret, or for a cron-style setup.
 */
public final class PushOnce {

    /** Outcomes that end a recording's part in this run; "deferred" ones come back at a later poll. */
    private static final Set<String> FINAL = Set.of("success", "failed", "missing_tar", "gone", B3lbProtocol.ABANDONED);

    private PushOnce() {
    }

    public static int run(UploadConfig config, PrintStream out) throws Exception {
        if (!config.enabled()) {
            throw new ConfigException("push --once: upload is disabled (b3lb.upload.enabled=false); "
                    + "set b3lb.upload.enabled=true to push recordings");
        }
        Set<String> pending = ConcurrentHashMap.newKeySet();
        Map<String, String> outcomes = new ConcurrentHashMap<>();
        Object done = new Object();
        UploadRoute route = new UploadRoute(config, new UploadMetrics(new SimpleMeterRegistry()), (id, outcome) -> {
            if (FINAL.contains(outcome) && pending.contains(id)) {
                outcomes.putIfAbsent(id, outcome);
                synchronized (done) {
                    done.notifyAll();
                }
            }
        }, UploadPause.NEVER);
        pending.addAll(markers(route.audit(), config.recordingDir()));
        try (DefaultCamelContext ctx = new DefaultCamelContext()) {
            ctx.getCamelContextExtension().setName("b3lb-node-push");
            ctx.disableJMX();
            ctx.setStartupSummaryLevel(StartupSummaryLevel.Off);
            ctx.getPropertiesComponent().addInitialProperty("b3lb.upload.endpoint", config.endpoint().toString());
            ctx.addRoutes(route);
            ctx.start();
            synchronized (done) {
                while (!outcomes.keySet().containsAll(pending)) {
                    done.wait(1000);
                }
            }
        }
        int failed = count(outcomes, "failed");
        // abandoned (B3LB 3.x will never take them, said in the log) is no failure of this run
        out.println("uploaded " + count(outcomes, "success") + ", failed " + failed + ", missing tar " + count(outcomes, "missing_tar")
                + (config.b3lb() ? ", abandoned " + count(outcomes, B3lbProtocol.ABANDONED) : ""));
        return failed == 0 ? 0 : 1;
    }

    private static int count(Map<String, String> outcomes, String key) {
        return (int) outcomes.values().stream().filter(key::equals).count();
    }

    /**
     * The ids of the markers present now, the ones this run must account for: by the route's own
     * listing, so a marker it never takes (a link, a bad id) is not waited for, and is reported once.
     */
    private static Set<String> markers(MarkerAudit audit, Path dir) throws IOException {
        String problem = RecordingLayout.dirProblem(dir);
        if (problem != null) {
            throw new ConfigException("recording directory " + dir + " " + problem);
        }
        Set<String> found = new HashSet<>();
        audit.list(dir, () -> true, marker -> found.add(RecordingFiles.ofMarker(marker).id()));
        return found;
    }
}
