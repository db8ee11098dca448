package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.camel.health.HealthCheck;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleanup health check's rule, on a clock the test moves: overdue, unreadable directory, UP. */
class CleanupHealthCheckTest {

    static final Instant START = Instant.parse("2026-11-28T10:00:00Z"); // the service starts at 10:00 UTC

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(START);

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    CleanupConfig config(String enabled) {
        return CleanupConfig.from(Settings.load(null, Map.of(), Map.of("b3lb.recording-dir", dir.toString(),
                "b3lb.cleaner.time-zone", "UTC", "b3lb.cleaner.enabled", enabled)));
    }

    CleanupPass pass(CleanupConfig c) {
        return Fixture.pass(c.recordingDir(), false, new SimpleMeterRegistry(), Files::delete, line -> { }, clock);
    }

    @Test
    void dueAtThreeAfterStartUpThenDownAnHourLaterUntilAPassRuns() {
        CleanupConfig c = config("true");
        CleanupPass pass = pass(c);
        CleanupHealthCheck check = new CleanupHealthCheck(c, pass, START, clock);

        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
        clock.now = Instant.parse("2026-11-29T03:59:00Z"); // due 03:00, an hour of grace
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
        clock.now = Instant.parse("2026-11-29T04:01:00Z");
        HealthCheck.Result down = check.call();
        assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(down.getMessage()).get().asString().startsWith("cleanup pass overdue: due at 2026-11-29T03:00:00Z");
        assertThat(down.getDetails()).containsEntry("last_pass", "none since start-up at " + START);

        pass.run(); // late, but it ran
        HealthCheck.Result up = check.call();
        assertThat(up.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(up.getDetails()).containsEntry("last_pass", "2026-11-29T04:01:00Z")
                .containsEntry("last_pass_seconds", 0.0).containsEntry("last_pass_deleted", 0L).containsEntry("last_pass_errors", 0L)
                .containsEntry("last_pass_freed_bytes", 0L).containsEntry("next_pass", "2026-11-30T03:00:00Z");
        clock.now = Instant.parse("2026-11-30T03:59:30Z");
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
        clock.now = Instant.parse("2026-11-30T04:00:30Z");
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.DOWN);
    }

    @Test
    void downWhenTheLastPassCouldNotListTheDirectoryAndUpAfterTheNextGoodPass() throws IOException {
        CleanupConfig c = config("true");
        CleanupPass pass = pass(c);
        CleanupHealthCheck check = new CleanupHealthCheck(c, pass, START, clock);
        Files.delete(dir);

        pass.run();
        HealthCheck.Result down = check.call();
        assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(down.getMessage()).get().asString().contains("could not read " + dir);

        Files.createDirectory(dir);
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        pass.run();
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
    }

    @Test
    void aDisabledCleanupIsUpAndSaysSo() {
        CleanupConfig c = config("false");
        CleanupHealthCheck check = new CleanupHealthCheck(c, pass(c), START, clock);
        clock.now = START.plus(Duration.ofDays(30));
        HealthCheck.Result r = check.call();
        assertThat(r.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(r.getMessage()).get().asString().contains("b3lb.cleaner.enabled=false");
        assertThat(r.getDetails()).containsEntry("enabled", false);
    }
}
