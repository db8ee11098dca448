package org.b3lb.node.cleanup;

import java.nio.file.Path;
import java.time.Duration;
import org.b3lb.node.config.Settings;

/**
 * The disk guard's settings, checked at start-up.
 *
 * @param minFree null when {@code b3lb.cleaner.min-free} is empty: the guard is off
 */
public record GuardConfig(Path recordingDir, MinFree minFree, Duration interval) {

    static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    static final Duration MAX_INTERVAL = Duration.ofDays(1);

    public static GuardConfig from(Settings s) {
        String text = s.string("b3lb.cleaner.min-free");
        MinFree minFree = null;
        if (!text.isEmpty()) {
            minFree = MinFree.parse(text);
            if (minFree == null) {
                throw s.invalid("b3lb.cleaner.min-free", "must be empty (guard off), a share of the filesystem"
                        + " such as 15% (more than 0, less than 100) or a size such as 500M, 50G or 1T (binary units)");
            }
        }
        Duration interval = s.duration("b3lb.cleaner.guard-interval");
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw s.invalid("b3lb.cleaner.guard-interval", "must be a duration from 100ms to 1d, such as 5m");
        }
        return new GuardConfig(s.path("b3lb.recording-dir"), minFree, interval);
    }

    public boolean enabled() {
        return minFree != null;
    }
}
