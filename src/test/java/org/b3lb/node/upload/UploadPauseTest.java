package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.Test;

/** The pause decision with a clock the test moves and a figure it scripts, configured as an admin would. */
class UploadPauseTest {

    /** A clock the test sets; the decision reads nothing else of time. */
    static final class TestClock extends Clock {
        Instant now;

        TestClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static final Instant NOON = Instant.parse("2026-12-07T12:00:00Z");

    final TestClock clock = new TestClock(NOON);
    /** What the load endpoint answers now, as bytes (null: no figure). */
    String answer = "1000\n";

    static Settings settings(String... kv) {
        Map<String, String> o = new HashMap<>();
        o.put("b3lb.upload.secret", "s");
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return Settings.load(null, Map.of(), o);
    }

    UploadPause pause(String... kv) {
        PauseRules rules = UploadConfig.from(settings(kv)).pause();
        return new UploadPause(rules, () -> answer == null ? null : answer.getBytes(StandardCharsets.US_ASCII), clock);
    }

    UploadPause busyAbove7000() {
        return pause("b3lb.load.format", "integer", "b3lb.upload.pause-above", "7000", "b3lb.upload.pause-hold", "1m");
    }

    @Test
    void offByDefault() {
        UploadPause p = pause();
        answer = "10000\n";
        assertThat(p.rules().any()).isFalse();
        assertThat(p.paused()).isFalse();
        assertThat(p.now()).isEqualTo(new UploadPause.State(false, false, ""));
    }

    @Test
    void aboveTheThresholdPausesAndSaysForHowLong() {
        UploadPause p = busyAbove7000();
        assertThat(p.paused()).isFalse();
        answer = "8123\n";
        assertThat(p.paused()).isTrue();
        clock.advance(Duration.ofMinutes(4));
        UploadPause.State s = p.now();
        assertThat(s.busy()).isTrue();
        assertThat(s.outsideHours()).isFalse();
        assertThat(s.why()).isEqualTo("node busy (figure 8123 above 7000 for 4m)");
        // the threshold itself is not above it
        answer = "7000\n";
        assertThat(p.now().why()).isEqualTo("node busy (figure 7000 at or below 7000 for 0ms of the 1m hold)");
    }

    @Test
    void belowForLessThanTheHoldStaysPausedThenResumesAfterTheHold() {
        UploadPause p = busyAbove7000();
        answer = "9000\n";
        assertThat(p.paused()).isTrue();
        answer = "5000\n";
        assertThat(p.paused()).isTrue(); // below since now
        clock.advance(Duration.ofSeconds(59));
        assertThat(p.now().why()).isEqualTo("node busy (figure 5000 at or below 7000 for 59.0s of the 1m hold)");
        clock.advance(Duration.ofSeconds(1));
        assertThat(p.paused()).isFalse();
        assertThat(p.now().why()).isEmpty();
    }

    @Test
    void hoveringAtTheThresholdDoesNotFlap() {
        UploadPause p = busyAbove7000();
        for (int i = 0; i <= 20; i++) {
            answer = i % 2 == 0 ? "7001\n" : "6999\n";
            assertThat(p.paused()).as("step %d", i).isTrue();
            clock.advance(Duration.ofSeconds(50)); // below for 50 s at most, never the whole minute
        }
        answer = "6999\n"; // now below for good
        assertThat(p.paused()).isTrue();
        clock.advance(Duration.ofSeconds(59));
        assertThat(p.paused()).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(p.paused()).isFalse();
    }

    @Test
    void aPercentThresholdComparesThePercentAnswer() {
        UploadPause p = pause("b3lb.load.format", "percent", "b3lb.upload.pause-above", "70.5", "b3lb.upload.pause-hold", "200ms");
        answer = "70.50\n";
        assertThat(p.paused()).isFalse();
        answer = "70.51\n";
        assertThat(p.now().why()).isEqualTo("node busy (figure 70.51 above 70.5 for 0ms)");
    }

    @Test
    void anUnknownFigureHoldsNothing() {
        UploadPause p = busyAbove7000();
        answer = null;
        assertThat(p.paused()).isFalse();
        answer = "8000\n";
        assertThat(p.paused()).isTrue();
        answer = null; // counts as below: no load average must not stop uploads for ever
        clock.advance(Duration.ofSeconds(1));
        assertThat(p.paused()).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(p.paused()).isFalse();
    }

    @Test
    void hoursWrapMidnightInTheCleanerTimeZone() {
        // Berlin is UTC+1 in December
        UploadPause p = pause("b3lb.upload.hours", "22:00-06:00", "b3lb.cleaner.time-zone", "Europe/Berlin");
        assertThat(outside(p, "2026-12-07T20:59:59Z")).isTrue();
        assertThat(p.now().why()).isEqualTo("outside upload hours 22:00-06:00 (Europe/Berlin)");
        assertThat(outside(p, "2026-12-07T21:00:00Z")).isFalse(); // 22:00 Berlin: the start is inside
        assertThat(outside(p, "2026-12-07T23:30:00Z")).isFalse(); // past midnight there
        assertThat(outside(p, "2026-12-08T04:59:59Z")).isFalse();
        assertThat(outside(p, "2026-12-08T05:00:00Z")).isTrue(); // 06:00 Berlin: the end is outside
        UploadPause utc = pause("b3lb.upload.hours", "22:00-06:00", "b3lb.cleaner.time-zone", "UTC");
        assertThat(outside(utc, "2026-12-07T21:00:00Z")).isTrue();
        UploadPause day = pause("b3lb.upload.hours", "9:00-17:30", "b3lb.cleaner.time-zone", "UTC");
        assertThat(outside(day, "2026-12-07T08:59:00Z")).isTrue();
        assertThat(outside(day, "2026-12-07T12:00:00Z")).isFalse();
        assertThat(outside(day, "2026-12-07T17:30:00Z")).isTrue();
        assertThat(day.paused()).isTrue();
    }

    @Test
    void busyAndOutsideHoursAreBothSaid() {
        UploadPause p = pause("b3lb.load.format", "integer", "b3lb.upload.pause-above", "7000", "b3lb.upload.hours", "22:00-06:00",
                "b3lb.cleaner.time-zone", "UTC");
        answer = "9999\n";
        UploadPause.State s = p.now();
        assertThat(s.busy()).isTrue();
        assertThat(s.outsideHours()).isTrue();
        assertThat(s.why()).isEqualTo("node busy (figure 9999 above 7000 for 0ms); outside upload hours 22:00-06:00 (UTC)");
    }

    private boolean outside(UploadPause p, String at) {
        clock.now = Instant.parse(at);
        return p.now().outsideHours();
    }

    @Test
    void badValuesAreRefusedWithOneLineNamingTheKeyAndTheFix() {
        assertRefused("invalid b3lb.upload.hours='22-6' (from argument --b3lb.upload.hours): must be empty (always) or a daily window"
                + " HH:MM-HH:MM such as 22:00-06:00", "b3lb.upload.hours", "22-6");
        assertRefused("invalid b3lb.upload.hours='24:00-06:00'", "b3lb.upload.hours", "24:00-06:00");
        assertRefused("invalid b3lb.upload.hours='22:00-22:00'", "b3lb.upload.hours", "22:00-22:00");
        assertRefused("invalid b3lb.cleaner.time-zone='Mars/Base'", "b3lb.upload.hours", "22:00-06:00", "b3lb.cleaner.time-zone", "Mars/Base");
        assertRefused("invalid b3lb.upload.pause-above='70.5' (from argument --b3lb.upload.pause-above): must be empty (off) or a whole"
                + " number 0-10000 on the load endpoint's scale (b3lb.load.format=integer), e.g. 7000",
                "b3lb.load.format", "integer", "b3lb.upload.pause-above", "70.5");
        assertRefused("invalid b3lb.upload.pause-above='10001'", "b3lb.load.format", "integer", "b3lb.upload.pause-above", "10001");
        assertRefused("invalid b3lb.upload.pause-above='70%' (from argument --b3lb.upload.pause-above): must be empty (off) or a figure"
                + " on the load endpoint's percent scale (b3lb.load.format=percent), e.g. 70 or 85.5", "b3lb.upload.pause-above", "70%");
        assertRefused("invalid b3lb.upload.pause-above='70' (from argument --b3lb.upload.pause-above): needs the load endpoint"
                + " (b3lb.load.enabled=true)", "b3lb.upload.pause-above", "70", "b3lb.load.enabled", "false");
        assertRefused("invalid b3lb.upload.pause-hold='soon'", "b3lb.upload.pause-hold", "soon");
    }

    @Test
    void theEnvironmentSetsThemToo() {
        Settings s = Settings.load(null, Map.of("B3LB_UPLOAD_PAUSE_ABOVE", "85", "B3LB_UPLOAD_PAUSE_HOLD", "30s",
                "B3LB_UPLOAD_HOURS", "01:00-05:00"), Map.of("b3lb.upload.secret", "s"));
        PauseRules r = UploadConfig.from(s).pause();
        assertThat(r.above()).isEqualByComparingTo("85");
        assertThat(r.hold()).isEqualTo(Duration.ofSeconds(30));
        assertThat(r.hours()).hasToString("01:00-05:00");
        assertThat(UploadConfig.from(settings()).pause().hold()).isEqualTo(Duration.ofMinutes(1));
    }

    private static void assertRefused(String message, String... kv) {
        assertThatThrownBy(() -> UploadConfig.from(settings(kv))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message).extracting(Throwable::getMessage).asString().doesNotContain("\n");
    }
}
