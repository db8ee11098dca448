package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.TimeZone;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.Test;

class CleanupConfigTest {

    static CleanupConfig config(Map<String, String> overrides) {
        return CleanupConfig.from(Settings.load(null, Map.of(), overrides));
    }

    @Test
    void defaultsAreTheSpecsDailyRunAtThreeWithSevenDays() {
        CleanupConfig c = config(Map.of());
        assertThat(c.enabled()).isTrue();
        assertThat(c.cron()).isEqualTo("0 0 3 * * ?");
        assertThat(c.timeZone()).isNull();
        assertThat(c.quartzTimeZoneId()).isEqualTo(TimeZone.getTimeZone(ZoneId.systemDefault()).getID());
        assertThat(c.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(c.dryRun()).isFalse();
    }

    @Test
    void environmentVariablesFollowCamelsConvention() {
        Settings s = Settings.load(null, Map.of("B3LB_CLEANER_RETENTION_DAYS", "30", "B3LB_CLEANER_DRY_RUN", "true"), Map.of());
        CleanupConfig c = CleanupConfig.from(s);
        assertThat(c.retentionDays()).isEqualTo(30);
        assertThat(c.dryRun()).isTrue();
    }

    @Test
    void aZoneIsResolvedToAnIdQuartzUnderstands() {
        assertThat(config(Map.of("b3lb.cleaner.time-zone", "Europe/Berlin")).quartzTimeZoneId()).isEqualTo("Europe/Berlin");
        // TimeZone.getTimeZone("+01:00") would silently be GMT
        assertThat(config(Map.of("b3lb.cleaner.time-zone", "+01:00")).quartzTimeZoneId()).isEqualTo("GMT+01:00");
    }

    @Test
    void aBadCronIsOneLineNamingKeyValueAndSource() {
        assertThatThrownBy(() -> config(Map.of("b3lb.cleaner.cron", "0 3 * * *")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid b3lb.cleaner.cron='0 3 * * *' (from argument --b3lb.cleaner.cron): must be a Quartz cron")
                .hasMessageNotContaining("\n");
    }

    @Test
    void anUnknownZoneIsRefused() {
        assertThatThrownBy(() -> config(Map.of("b3lb.cleaner.time-zone", "Mars/Olympus")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid b3lb.cleaner.time-zone='Mars/Olympus'");
    }

    @Test
    void retentionIsAWholeNumberOfAtLeastOneDay() {
        for (String bad : new String[] {"0", "-1", "7.5", "7d", "", "36501"}) {
            assertThatThrownBy(() -> config(Map.of("b3lb.cleaner.retention-days", bad)))
                    .as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid b3lb.cleaner.retention-days=");
        }
        assertThat(config(Map.of("b3lb.cleaner.retention-days", "1")).retentionDays()).isEqualTo(1);
    }

    @Test
    void enabledAndDryRunAreBooleans() {
        assertThatThrownBy(() -> config(Map.of("b3lb.cleaner.enabled", "yes"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be true or false");
        assertThatThrownBy(() -> config(Map.of("b3lb.cleaner.dry-run", "1"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be true or false");
    }

    @Test
    void aCronThatNeverFiresIsRefusedAtStartUp() {
        // valid Quartz syntax, but 31 February never comes: Quartz itself only says so when the route starts
        assertThatThrownBy(() -> config(Map.of("b3lb.cleaner.cron", "0 0 3 31 2 ?")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid b3lb.cleaner.cron='0 0 3 31 2 ?' (from argument --b3lb.cleaner.cron): never fires"
                        + " (a date that does not exist, such as 31 February); give a schedule that does, e.g. '0 0 3 * * ?'"
                        + " for 03:00 daily");
        assertThat(config(Map.of("b3lb.cleaner.cron", "0 0 3 29 2 ?")).cron()).isEqualTo("0 0 3 29 2 ?");
    }

    // b3lb.cleaner.min-free, guard-interval, delete-bbb-recording, bbb-record-command

    static Settings settings(Map<String, String> keys) {
        return Settings.load(null, Map.of(), keys);
    }

    @Test
    void byDefaultTheGuardIsOffChecksEveryFiveMinutesAndBbbRecordingsStay() {
        CleanupConfig g = CleanupConfig.from(settings(Map.of()));
        assertThat(g.guardEnabled()).isFalse();
        assertThat(g.minFree()).isNull();
        assertThat(g.guardInterval()).isEqualTo(Duration.ofMinutes(5));
        CleanupConfig r = g;
        assertThat(r.deleteBbbRecording()).isFalse();
        assertThat(r.bbbRecordCommand()).isEqualTo("/usr/bin/bbb-record");
    }

    @Test
    void minFreeIsAShareOrABinarySize() {
        assertThat(CleanupConfig.MinFree.parse("15%").targetBytes(1000)).isEqualTo(150);
        assertThat(CleanupConfig.MinFree.parse("2.5%").targetBytes(1000)).isEqualTo(25);
        assertThat(CleanupConfig.MinFree.parse("50G").targetBytes(1)).isEqualTo(50L << 30);
        assertThat(CleanupConfig.MinFree.parse("50GiB").targetBytes(1)).isEqualTo(50L << 30);
        assertThat(CleanupConfig.MinFree.parse("500m").targetBytes(1)).isEqualTo(500L << 20);
        assertThat(CleanupConfig.MinFree.parse("1T").targetBytes(1)).isEqualTo(1L << 40);
        assertThat(CleanupConfig.MinFree.parse("1.5K").targetBytes(1)).isEqualTo(1536);
        assertThat(CleanupConfig.MinFree.parse("4096").targetBytes(1)).isEqualTo(4096);
        CleanupConfig g = CleanupConfig.from(settings(Map.of("b3lb.cleaner.min-free", "15%")));
        assertThat(g.guardEnabled()).isTrue();
        assertThat(g.minFree().text()).isEqualTo("15%");
    }

    @Test
    void guardEnvironmentVariablesFollowCamelsConvention() {
        Settings s = Settings.load(null, Map.of("B3LB_CLEANER_MIN_FREE", "10G", "B3LB_CLEANER_GUARD_INTERVAL", "1m",
                "B3LB_CLEANER_DELETE_BBB_RECORDING", "true"), Map.of());
        assertThat(CleanupConfig.from(s).minFree().bytes()).isEqualTo(10L << 30);
        assertThat(CleanupConfig.from(s).guardInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(CleanupConfig.from(s).deleteBbbRecording()).isTrue();
    }

    @Test
    void aBadMinFreeIsOneLineNamingKeyValueSourceAndTheForms() {
        for (String bad : new String[] {"0%", "100%", "-5%", "15 percent", "50X", "0", "0G", "G", "lots"}) {
            assertThatThrownBy(() -> CleanupConfig.from(settings(Map.of("b3lb.cleaner.min-free", bad))))
                    .as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid b3lb.cleaner.min-free='" + bad + "' (from argument --b3lb.cleaner.min-free):"
                            + " must be empty (guard off), a share of the filesystem such as 15%")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void theGuardIntervalIsADurationFromATenthOfASecondToADay() {
        for (String bad : new String[] {"0s", "50ms", "2d", "often"}) {
            assertThatThrownBy(() -> CleanupConfig.from(settings(Map.of("b3lb.cleaner.guard-interval", bad))))
                    .as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid b3lb.cleaner.guard-interval='" + bad + "'");
        }
        assertThat(CleanupConfig.from(settings(Map.of("b3lb.cleaner.guard-interval", "30s"))).guardInterval())
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theBbbRecordCommandIsAProgramPathWithoutArguments() {
        assertThatThrownBy(() -> CleanupConfig.from(settings(Map.of("b3lb.cleaner.bbb-record-command", "sudo bbb-record"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid b3lb.cleaner.bbb-record-command='sudo bbb-record'");
        assertThatThrownBy(() -> CleanupConfig.from(settings(Map.of("b3lb.cleaner.delete-bbb-recording", "yes"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be true or false");
    }
}
