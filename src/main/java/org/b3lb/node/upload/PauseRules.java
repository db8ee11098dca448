package org.b3lb.node.upload;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.b3lb.node.config.Settings;
import org.b3lb.node.load.LoadConfig;
import org.b3lb.node.load.LoadFigure;

/**
 * When no new upload starts: {@code b3lb.upload.pause-above} (on the load endpoint's own scale,
 * {@code b3lb.load.format}), {@code b3lb.upload.pause-hold} and {@code b3lb.upload.hours}.
 *
 * @param above the threshold as the endpoint would answer it (70.5 or 7050), null when off
 * @param hours the window, null for always
 */
public record PauseRules(BigDecimal above, Duration hold, Hours hours) {

    public static final PauseRules NONE = new PauseRules(null, Duration.ZERO, null);
    private static final Pattern WINDOW = Pattern.compile("([01]?\\d|2[0-3]):([0-5]\\d)-([01]?\\d|2[0-3]):([0-5]\\d)");

    /** {@code b3lb.upload.hours}, such as {@code 22:00-06:00} (wrapping midnight): the start is inside, the end outside. */
    public record Hours(LocalTime from, LocalTime to, ZoneId zone) {

        public boolean contains(Instant at) {
            LocalTime t = at.atZone(zone).toLocalTime();
            return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
        }

        @Override
        public String toString() {
            return from + "-" + to;
        }
    }

    public static PauseRules from(Settings s) {
        BigDecimal above = s.has("b3lb.upload.pause-above") ? above(s, "b3lb.upload.pause-above") : null;
        Duration hold = s.duration("b3lb.upload.pause-hold");
        Hours hours = null;
        if (s.has("b3lb.upload.hours")) {
            Matcher m = WINDOW.matcher(s.string("b3lb.upload.hours").trim());
            LocalTime from = m.matches() ? LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))) : null;
            LocalTime to = m.matches() ? LocalTime.of(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))) : null;
            if (from == null || from.equals(to)) {
                throw s.invalid("b3lb.upload.hours", "must be empty (always) or a daily window HH:MM-HH:MM such as 22:00-06:00"
                        + " (it may wrap midnight; start and end differ), read in b3lb.cleaner.time-zone");
            }
            hours = new Hours(from, to, zone(s));
        }
        return new PauseRules(above, hold, hours);
    }

    public boolean any() {
        return above != null || hours != null;
    }

    private static BigDecimal above(Settings s, String key) {
        LoadConfig load = LoadConfig.from(s);
        if (!load.enabled()) {
            throw s.invalid(key, "needs the load endpoint (b3lb.load.enabled=true): it compares the figure B3LB reads there;"
                    + " enable the endpoint or leave " + key + " empty");
        }
        String v = s.string(key);
        boolean integer = load.format() == LoadFigure.Format.INTEGER;
        if (integer ? v.matches("\\d{1,5}") && Integer.parseInt(v) <= LoadFigure.INTEGER_MAX : v.matches("\\d{1,5}(\\.\\d{1,2})?")) {
            return new BigDecimal(v);
        }
        throw s.invalid(key, integer
                ? "must be empty (off) or a whole number 0-10000 on the load endpoint's scale (b3lb.load.format=integer), e.g. 7000"
                : "must be empty (off) or a figure on the load endpoint's percent scale (b3lb.load.format=percent), e.g. 70 or 85.5");
    }

    /** The cleanup's zone: CleanupConfig refuses a bad one first in the service, push --once has no hours. */
    private static ZoneId zone(Settings s) {
        String v = s.string("b3lb.cleaner.time-zone");
        try {
            return v.isEmpty() ? ZoneId.systemDefault() : ZoneId.of(v);
        } catch (RuntimeException e) {
            throw s.invalid("b3lb.cleaner.time-zone", "must be empty (the host's zone) or a zone id such as Europe/Berlin");
        }
    }
}
