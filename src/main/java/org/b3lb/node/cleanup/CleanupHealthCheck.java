package org.b3lb.node.cleanup;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.TimeZone;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.quartz.CronExpression;

/**
 * The {@code cleanup} check of {@code /observe/health} (camel-health finds it in the registry): DOWN
 * when the cron's fire time after the last pass (or start-up) is more than {@link #GRACE} ago, or the
 * last pass could not list the directory. Whether the route is started is the route's own check.
 */
public final class CleanupHealthCheck extends AbstractHealthCheck {

    /** A pass may start late (a busy Quartz pool, a clock step) before it counts as missing. */
    static final Duration GRACE = Duration.ofHours(1);

    private final CleanupConfig config;
    private final CleanupPass pass;
    private final Instant serviceStart;
    private final Clock clock;
    private final CronExpression cron;

    public CleanupHealthCheck(CleanupConfig config, CleanupPass pass, Instant serviceStart, Clock clock) {
        super("b3lb", "cleanup");
        this.config = config;
        this.pass = pass;
        this.serviceStart = serviceStart;
        this.clock = clock;
        try {
            cron = new CronExpression(config.cron());
        } catch (ParseException e) {
            throw new IllegalArgumentException("b3lb.cleaner.cron was validated at start-up: " + e.getMessage(), e);
        }
        cron.setTimeZone(TimeZone.getTimeZone(config.quartzTimeZoneId()));
    }

    /** When the pass after {@code since} is due by the cron, or null if the cron never fires again. */
    Instant dueAfter(Instant since) {
        Date next = cron.getNextValidTimeAfter(Date.from(since));
        return next == null ? null : next.toInstant();
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Instant now = clock.instant();
        CleanupResult last = pass.lastResult();
        builder.detail("enabled", config.enabled());
        builder.detail("cron", config.cron() + " (" + config.quartzTimeZoneId() + ")");
        Instant next = dueAfter(now);
        builder.detail("next_pass", next == null ? "never" : next.toString());
        if (last != null) {
            builder.details(Map.of("last_pass", last.startedAt().toString(), "last_pass_seconds", last.durationMillis() / 1000.0,
                    "last_pass_deleted", last.deleted(), "last_pass_freed_bytes", last.freedBytes(),
                    "last_pass_pending", last.pending(), "last_pass_unmarked", last.unmarked(), "last_pass_leftovers",
                    last.leftovers(), "last_pass_errors", last.errors(), "last_pass_dry_run", last.dryRun()));
        } else {
            builder.detail("last_pass", "none since start-up at " + serviceStart);
        }
        if (!config.enabled()) {
            builder.message("retention cleanup is off (b3lb.cleaner.enabled=false)").up();
            return;
        }
        if (last != null && last.listFailed()) {
            builder.message("the last cleanup pass (" + last.startedAt() + ") could not read " + config.recordingDir()
                    + ": check that it exists and the service user may list it (b3lb.recording-dir)").down();
            return;
        }
        Instant since = last != null ? last.startedAt() : serviceStart;
        Instant due = dueAfter(since);
        if (due != null && now.isAfter(due.plus(GRACE))) {
            builder.message("cleanup pass overdue: due at " + due + " (" + config.cron() + "), none since " + since
                    + "; check that route cleanup is started (b3lb-node routes list) and the log").down();
            return;
        }
        builder.up();
    }
}
