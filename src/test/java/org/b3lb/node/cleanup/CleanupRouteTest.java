package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TimeZone;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.component.quartz.QuartzComponent;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;

/** The cleanup route inside the whole service, fired every second by Quartz. */
class CleanupRouteTest {

    static final Duration FEW_SECONDS = Duration.ofSeconds(10);

    @TempDir
    static Path tmp;
    static Path dir;
    static RunningNode node;
    static CleanupPass pass;

    @BeforeAll
    static void start() throws Exception {
        dir = tmp.resolve("archived");
        node = RunningNode.builder(dir)
                .with("b3lb.cleaner.cron", "* * * * * ?")
                .with("b3lb.cleaner.time-zone", "Pacific/Chatham")
                .start();
        pass = node.context().getRegistry().lookupByNameAndType("cleanupPass", CleanupPass.class);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aPerSecondCronDeletesExpiredTarsWithinSeconds() throws Exception {
        Path old = Fixture.uploaded(dir, "route-old.tar", Fixture.OLD);
        Path pending = Fixture.file(dir, "route-pending.tar", Fixture.OLD);
        Fixture.file(dir, "route-pending.ready", Fixture.OLD);

        await().atMost(FEW_SECONDS).until(() -> Files.notExists(old));
        assertThat(pending).exists();
    }

    @Test
    void aTarUploadedJustNowAfterBeingCreatedLongAgoSurvives() throws Exception {
        Path late = Fixture.file(dir, "route-late.tar", Fixture.OLD);
        Path marker = Fixture.file(dir, "route-late.ready", Fixture.OLD);
        // what the upload route does on success: evidence dated now for this tar, then the marker goes; the
        // tar's own mtime stays 10 days old, and the retention counts from the evidence
        Fixture.evidence(late, Duration.ZERO);
        Files.delete(marker);
        Path canary = Fixture.uploaded(dir, "route-canary.tar", Fixture.OLD);
        Instant uploaded = Instant.now();

        // a pass that started after the upload has seen both files and deleted the canary
        await().atMost(FEW_SECONDS).until(() -> pass.lastResult() != null && pass.lastResult().startedAt().isAfter(uploaded)
                && Files.notExists(canary));
        assertThat(late).exists();
    }

    @Test
    void theRouteCanBeStoppedAndStartedOverJmx() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = jmx.queryNames(new ObjectName("org.apache.camel:type=routes,name=\"cleanup\",*"), null);
        assertThat(names).hasSize(1);
        ObjectName cleanup = names.iterator().next();
        assertThat(jmx.getAttribute(cleanup, "RouteId")).isEqualTo("cleanup");

        jmx.invoke(cleanup, "stop", null, null);
        try {
            assertThat(jmx.getAttribute(cleanup, "State")).isEqualTo("Stopped");
            Path old = Fixture.uploaded(dir, "route-while-stopped.tar", Fixture.OLD);
            // with a per-second cron, three seconds without a deletion means no pass ran
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> Files.exists(old));

            jmx.invoke(cleanup, "start", null, null);
            assertThat(jmx.getAttribute(cleanup, "State")).isEqualTo("Started");
            await().atMost(FEW_SECONDS).until(() -> Files.notExists(old));
        } finally {
            if (!"Started".equals(jmx.getAttribute(cleanup, "State"))) {
                jmx.invoke(cleanup, "start", null, null);
            }
        }
    }

    @Test
    void theCronIsReadInTheConfiguredTimeZone() throws Exception {
        Scheduler scheduler = node.context().getComponent("quartz", QuartzComponent.class).getScheduler();
        Trigger trigger = scheduler.getTrigger(TriggerKey.triggerKey("cleanup", "b3lb"));
        assertThat(trigger).isInstanceOf(CronTrigger.class);
        assertThat(((CronTrigger) trigger).getCronExpression()).isEqualTo("* * * * * ?");
        assertThat(((CronTrigger) trigger).getTimeZone()).isEqualTo(TimeZone.getTimeZone("Pacific/Chatham"));
    }

    @Test
    void healthAndMetricsShowTheCleanup() throws Exception {
        Path old = Fixture.uploaded(dir, "route-metrics.tar", Fixture.OLD);
        await().atMost(FEW_SECONDS).until(() -> Files.notExists(old));
        assertThat(node.management("/observe/health").body()).contains("\"name\":\"route:cleanup\"");
        String metrics = node.management("/observe/metrics").body();
        assertThat(metrics).containsPattern("(?m)^b3lb_cleanup_deleted_total [1-9]");
        assertThat(metrics).containsPattern("(?m)^b3lb_cleanup_freed_bytes_total [1-9]");
        assertThat(metrics).containsPattern("(?m)^b3lb_cleanup_errors_total ");
        assertThat(metrics).containsPattern("(?m)^b3lb_cleanup_last_pass_timestamp_seconds [1-9]");
        assertThat(metrics).containsPattern("(?m)^b3lb_cleanup_last_pass_duration_seconds ");
        assertThat(metrics).containsPattern("(?m)^camel_exchanges_total\\{.*routeId=\"cleanup\".*\\} [1-9]");
    }
}
