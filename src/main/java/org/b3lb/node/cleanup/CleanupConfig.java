package org.b3lb.node.cleanup;

import java.nio.file.Path;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Date;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.b3lb.node.config.Protocol;
import org.b3lb.node.config.Settings;
import org.b3lb.node.config.Sizes;
import org.quartz.CronExpression;

/**
 * The {@code b3lb.cleaner.*} settings of the retention cleanup, the disk guard and what goes with a
 * deleted recording, checked at start-up.
 *
 * @param timeZone         the zone the cron is read in, or null for the host's
 * @param protocol         which hook command marks a recording again (the hook acts from post_archive or post_publish)
 * @param minFree          null when {@code b3lb.cleaner.min-free} is empty: the disk guard is off
 * @param bbbRecordCommand the program run as {@code <command> --delete <id>} when {@code deleteBbbRecording};
 *                         BBB installs it as /usr/bin/bbb-record, tests point it at a script
 */
public record CleanupConfig(Path recordingDir, boolean enabled, String cron, ZoneId timeZone, int retentionDays,
        boolean dryRun, Protocol protocol, MinFree minFree, Duration guardInterval, boolean deleteBbbRecording,
        String bbbRecordCommand) {

    /**
     * The free space the disk guard keeps: a share of the filesystem ({@code 15%}) or a size ({@code 50G},
     * binary units as {@code df -h} shows them), the other 0; {@code text} as the admin wrote it, for log lines.
     */
    public record MinFree(double percent, long bytes, String text) {

        /** No space before the sign: {@code 15 %} is refused rather than guessed. */
        private static final Pattern PERCENT = Pattern.compile("(\\d{1,2}(?:\\.\\d+)?)%");

        /** @return the parsed value, or null when the text is not one of the two forms (or is zero) */
        public static MinFree parse(String text) {
            String t = text.trim();
            Matcher m = PERCENT.matcher(t);
            if (m.matches()) {
                double p = Double.parseDouble(m.group(1));
                return p > 0 && p < 100 ? new MinFree(p, 0, t) : null;
            }
            long b = Sizes.parseBytes(t);
            return b > 0 ? new MinFree(0, b, t) : null;
        }

        /** The target in bytes on a filesystem of {@code totalBytes}. */
        public long targetBytes(long totalBytes) {
            return percent > 0 ? (long) Math.ceil(totalBytes * percent / 100.0) : bytes;
        }
    }

    /**
     * At least one day: BBB writes {@code <id>.tar} before its post-archive hook creates
     * {@code <id>.ready}, so with a retention of 0 a pass in that gap would delete a recording that
     * was never uploaded. A day of age is the margin that makes the gap harmless.
     */
    public static final int MIN_RETENTION_DAYS = 1;

    public static CleanupConfig from(Settings s) {
        boolean enabled = s.bool("b3lb.cleaner.enabled");
        String cron = s.string("b3lb.cleaner.cron");
        CronExpression fires;
        try {
            fires = new CronExpression(cron);
        } catch (ParseException e) {
            throw s.invalid("b3lb.cleaner.cron", "must be a Quartz cron expression (seconds minutes hours"
                    + " day-of-month month day-of-week, one of the day fields '?'), e.g. '0 0 3 * * ?' for 03:00 daily; "
                    + e.getMessage());
        }
        ZoneId zone = zone(s);
        fires.setTimeZone(quartzZone(zone));
        if (fires.getNextValidTimeAfter(new Date()) == null) {
            // Quartz refuses such a trigger only when the route starts, with a 50-line trace
            throw s.invalid("b3lb.cleaner.cron", "never fires (a date that does not exist, such as 31 February);"
                    + " give a schedule that does, e.g. '0 0 3 * * ?' for 03:00 daily");
        }
        int days = s.intRange("b3lb.cleaner.retention-days", MIN_RETENTION_DAYS, 36_500);
        String minFreeText = s.string("b3lb.cleaner.min-free");
        MinFree minFree = minFreeText.isEmpty() ? null : MinFree.parse(minFreeText);
        if (!minFreeText.isEmpty() && minFree == null) {
            throw s.invalid("b3lb.cleaner.min-free", "must be empty (guard off), a share of the filesystem"
                    + " such as 15% (more than 0, less than 100) or a size such as 500M, 50G or 1T (binary units)");
        }
        Duration interval = s.duration("b3lb.cleaner.guard-interval");
        if (interval.toMillis() < 100 || interval.compareTo(Duration.ofDays(1)) > 0) {
            throw s.invalid("b3lb.cleaner.guard-interval", "must be a duration from 100ms to 1d, such as 5m");
        }
        String command = s.string("b3lb.cleaner.bbb-record-command");
        if (!command.matches("[^\\s\\p{Cntrl}]+")) {
            throw s.invalid("b3lb.cleaner.bbb-record-command", "must be the path of BBB's bbb-record program,"
                    + " such as /usr/bin/bbb-record (no arguments: the cleanup adds --delete <id>)");
        }
        return new CleanupConfig(s.path("b3lb.recording-dir"), enabled, cron, zone, days, s.bool("b3lb.cleaner.dry-run"),
                s.protocol(), minFree, interval, s.bool("b3lb.cleaner.delete-bbb-recording"), command);
    }

    public boolean guardEnabled() {
        return minFree != null;
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
        return quartzZone(timeZone).getID();
    }

    private static TimeZone quartzZone(ZoneId zone) {
        return TimeZone.getTimeZone(zone == null ? ZoneId.systemDefault() : zone);
    }
}
