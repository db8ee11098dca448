package org.b3lb.node.upload;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code b3lb.upload.hours}: the daily window in which new uploads may start, such as
 * {@code 22:00-06:00} (wrapping midnight), read in {@code b3lb.cleaner.time-zone}. The start is
 * inside, the end outside.
 */
public record UploadHours(LocalTime from, LocalTime to, ZoneId zone) {

    private static final Pattern WINDOW = Pattern.compile("([01]?\\d|2[0-3]):([0-5]\\d)-([01]?\\d|2[0-3]):([0-5]\\d)");

    /** @return the window, or null when {@code text} is no {@code HH:MM-HH:MM} with two different times */
    static UploadHours parse(String text, ZoneId zone) {
        Matcher m = WINDOW.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        LocalTime from = LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        LocalTime to = LocalTime.of(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
        return from.equals(to) ? null : new UploadHours(from, to, zone);
    }

    public boolean contains(Instant at) {
        LocalTime t = at.atZone(zone).toLocalTime();
        return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
    }

    @Override
    public String toString() {
        return from + "-" + to;
    }
}
