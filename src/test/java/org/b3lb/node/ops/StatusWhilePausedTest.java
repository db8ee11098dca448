package org.b3lb.node.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZoneOffset;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service outside its upload hours with recordings waiting: status says why nothing
 * uploads and stays UP, the metric says so, the upload check stays UP with the pause in its details.
 */
class StatusWhilePausedTest {

    @TempDir
    static Path dir;
    static RunningNode node;
    static String hours;

    @BeforeAll
    static void start() throws Exception {
        Path archived = Files.createDirectories(dir.resolve("archived"));
        for (String id : new String[] {"w-1", "w-2"}) {
            Files.write(archived.resolve(id + ".tar"), new byte[10]);
            Files.createFile(archived.resolve(id + ".ready"));
            // waiting for hours: stuck if it were not for the pause
            Files.setLastModifiedTime(archived.resolve(id + ".ready"),
                    java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofHours(3))));
        }
        int h = LocalTime.now(ZoneOffset.UTC).getHour();
        hours = String.format("%02d:00-%02d:00", (h + 2) % 24, (h + 3) % 24); // excludes now, whatever the time
        node = RunningNode.builder(archived).with("b3lb.upload.hours", hours).with("b3lb.cleaner.time-zone", "UTC").start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void statusSaysPausedOutsideTheHoursAndIsNotDegradedForIt() throws Exception {
        StatusCommandTest.Out s = StatusCommandTest.status(node.managementPort(), false);
        assertThat(s.out()).contains("\nuploads: paused: outside upload hours " + hours + " (UTC), 2 recordings waiting\n")
                .doesNotContain("stuck").doesNotContain("problem:");
        assertThat(s.exit()).as(s.out()).isEqualTo(StatusCommand.HEALTHY);

        JsonObject j = (JsonObject) Jsoner.deserialize(StatusCommandTest.status(node.managementPort(), true).out());
        assertThat(j.getString("status")).isEqualTo("UP");
        JsonObject u = (JsonObject) j.get("uploads");
        assertThat(u.getBoolean("paused")).isTrue();
        assertThat(u.getString("pausedBecause")).isEqualTo("outside upload hours " + hours + " (UTC)");
        assertThat(u.getInteger("waiting")).isEqualTo(2);
    }

    @Test
    void theMetricAndTheHealthCheckSayItToo() throws Exception {
        assertThat(node.management("/observe/metrics").body())
                .containsPattern("(?m)^b3lb_upload_paused\\{reason=\"hours\"\\} 1\\.0$")
                .containsPattern("(?m)^b3lb_upload_paused\\{reason=\"busy\"\\} 0\\.0$");
        HealthCheck.Result upload = HealthCheckHelper.invoke(node.context()).stream()
                .filter(c -> c.getCheck().getId().equals("upload")).findFirst().orElseThrow();
        assertThat(upload.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(upload.getDetails()).containsEntry("paused", "outside upload hours " + hours + " (UTC)");
        assertThat(node.management("/observe/health").statusCode()).isEqualTo(200);
        assertThat(Files.exists(dir.resolve("archived/w-1.ready"))).isTrue();
    }

    /** The cleanup's line comes from the cleanup check: its last pass, and no next one while its route is stopped. */
    @Test
    void theCleanupLineShowsTheLastPassAndNoNextPassWhileTheRouteIsStopped() throws Exception {
        node.context().getRegistry().lookupByNameAndType("cleanupPass", org.b3lb.node.cleanup.CleanupPass.class).run();
        node.context().getRouteController().stopRoute("cleanup");
        try {
            StatusCommandTest.Out s = StatusCommandTest.status(node.managementPort(), false);
            assertThat(s.out()).containsPattern("(?m)^cleanup: last pass 20\\S+Z; since start deleted 0, freed 0 B, 0 errors;"
                    + " next pass not scheduled \\(cleanup route stopped or disabled\\)$");
            JsonObject c = (JsonObject) ((JsonObject) Jsoner.deserialize(StatusCommandTest.status(node.managementPort(), true).out()))
                    .get("cleanup");
            assertThat(java.time.Instant.parse(c.getString("lastPassAt"))).isBefore(java.time.Instant.now());
            assertThat(c.get("lastPassDurationSeconds")).isInstanceOf(Number.class);
            assertThat(c.get("nextPassAt")).isNull();
        } finally {
            node.context().getRouteController().startRoute("cleanup");
        }
        JsonObject c = (JsonObject) ((JsonObject) Jsoner.deserialize(StatusCommandTest.status(node.managementPort(), true).out()))
                .get("cleanup");
        assertThat(java.time.Instant.parse(c.getString("nextPassAt"))).isAfter(java.time.Instant.now());
    }

    @Test
    void aThresholdNeedsTheLoadEndpoint() {
        assertThatThrownBy(() -> RunningNode.builder(dir.resolve("other")).with("b3lb.load.enabled", "false")
                .with("b3lb.upload.pause-above", "70").start())
                .hasMessageStartingWith("invalid b3lb.upload.pause-above='70'").hasMessageContaining("b3lb.load.enabled=true");
    }
}
