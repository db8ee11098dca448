package org.b3lb.node.cleanup;

import java.nio.file.Path;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.TimeZone;
import org.b3lb.node.config.Protocol;
import org.b3lb.node.config.Settings;
import org.quartz.CronExpression;

/**
 * The retention cleanup's settings, checked at start-up.
 *
 * @param timeZone the zone the cron is read in, or null for the host's
 * @param protocol which hook command marks a recording again (the hook acts from post_archive or post_publish)
 */
public record CleanupConfig(Path recordingDir, boolean enabled, String cron, ZoneId timeZone, int retentionDays,
        boolean dryRun, Protocol protocol) {

    /**
     * At least one day: BBB writes {@code <id>.tar} before its post-archive hook creates
     * {@code <id>.ready}, so with a retention of 0 a pass in that gap would delete a recording that
     * was never uploaded. A day of age is the margin that makes the gap harmless.
     */
    public static final int MIN_RETENTION_DAYS = 1;
    static final int MAX_RETENTION_DAYS = 36_500;

    public static CleanupConfig from(Settings s) {
        boolean enabled = s.bool("b3lb.cleaner.enabled");
        String cron = s.string("b3lb.cleaner.cron");
        try {
            CronExpression.validateExpression(cron);
        } catch (ParseException e) {
            throw s.invalid("b3lb.cleaner.cron", "must be a Quartz cron expression (seconds minutes hours"
                    + " day-of-month month day-of-week, one of the day fields '?'), e.g. '0 0 3 * * ?' for 03:00 daily; "
                    + e.getMessage());
        }
        ZoneId zone = zone(s);
        if (neverFires(cron, zone)) {
            // Quartz refuses such a trigger only when the route starts, with a 50-line trace
            throw s.invalid("b3lb.cleaner.cron", "never fires (a date that does not exist, such as 31 February);"
                    + " give a schedule that does, e.g. '0 0 3 * * ?' for 03:00 daily");
        }
        int days = s.intRange("b3lb.cleaner.retention-days", MIN_RETENTION_DAYS, MAX_RETENTION_DAYS);
        return new CleanupConfig(s.path("b3lb.recording-dir"), enabled, cron, zone, days,
                s.bool("b3lb.cleaner.dry-run"), s.protocol());
    }

    private static boolean neverFires(String cron, ZoneId zone) {
        try {
            CronExpression e = new CronExpression(cron);
            e.setTimeZone(TimeZone.getTimeZone(zone == null ? ZoneId.systemDefault() : zone));
            return e.getNextValidTimeAfter(new java.util.Date()) == null;
        } catch (ParseException e) {
            return false;
        }
    }

    private static ZoneId zone(Settings s) {
        String v = s.string("b3lb.cleaner.time-zone");
        if (v.isEmpty()) {
            return null;
        }
        try {
            return ZoneId.of(v);
        } catch (DateTimeException e) {
            throw s.invalid("b3lb.cleaner.time-zone", "must be empty (the host's zone) or a zone id such as"
                    + " Europe/Berlin, UTC or +01:00 (see timedatectl list-timezones)");
        }
    }

    public Duration retention() {
        return Duration.ofDays(retentionDays);
    }

    /**
     * The zone as Quartz's {@link TimeZone} spells it. Quartz silently reads an unknown or empty id
     * as GMT, so the route is always given a resolved id: the host's when none is configured, and
     * offsets such as {@code +01:00} in the {@code GMT+01:00} form TimeZone understands.
     */
    public String quartzTimeZoneId() {
        return TimeZone.getTimeZone(timeZone == null ? ZoneId.systemDefault() : timeZone).getID();
    }
}
