package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.Test;

/** {@code b3lb.cleaner.min-free}, {@code guard-interval}, {@code delete-bbb-recording}, {@code bbb-record-command}. */
class GuardConfigTest {

    static Settings settings(Map<String, String> keys) {
        return Settings.load(null, Map.of(), keys);
    }

    @Test
    void byDefaultTheGuardIsOffChecksEveryFiveMinutesAndBbbRecordingsStay() {
        GuardConfig g = GuardConfig.from(settings(Map.of()));
        assertThat(g.enabled()).isFalse();
        assertThat(g.minFree()).isNull();
        assertThat(g.interval()).isEqualTo(Duration.ofMinutes(5));
        RemovalConfig r = RemovalConfig.from(settings(Map.of()));
        assertThat(r.deleteBbbRecording()).isFalse();
        assertThat(r.bbbRecordCommand()).isEqualTo("/usr/bin/bbb-record");
    }

    @Test
    void minFreeIsAShareOrABinarySize() {
        assertThat(MinFree.parse("15%").targetBytes(1000)).isEqualTo(150);
        assertThat(MinFree.parse("2.5%").targetBytes(1000)).isEqualTo(25);
        assertThat(MinFree.parse("50G").targetBytes(1)).isEqualTo(50L << 30);
        assertThat(MinFree.parse("50GiB").targetBytes(1)).isEqualTo(50L << 30);
        assertThat(MinFree.parse("500m").targetBytes(1)).isEqualTo(500L << 20);
        assertThat(MinFree.parse("1T").targetBytes(1)).isEqualTo(1L << 40);
        assertThat(MinFree.parse("1.5K").targetBytes(1)).isEqualTo(1536);
        assertThat(MinFree.parse("4096").targetBytes(1)).isEqualTo(4096);
        GuardConfig g = GuardConfig.from(settings(Map.of("b3lb.cleaner.min-free", "15%")));
        assertThat(g.enabled()).isTrue();
        assertThat(g.minFree().text()).isEqualTo("15%");
    }

    @Test
    void environmentVariablesFollowCamelsConvention() {
        Settings s = Settings.load(null, Map.of("B3LB_CLEANER_MIN_FREE", "10G", "B3LB_CLEANER_GUARD_INTERVAL", "1m",
                "B3LB_CLEANER_DELETE_BBB_RECORDING", "true"), Map.of());
        assertThat(GuardConfig.from(s).minFree().bytes()).isEqualTo(10L << 30);
        assertThat(GuardConfig.from(s).interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(RemovalConfig.from(s).deleteBbbRecording()).isTrue();
    }

    @Test
    void aBadMinFreeIsOneLineNamingKeyValueSourceAndTheForms() {
        for (String bad : new String[] {"0%", "100%", "-5%", "15 percent", "50X", "0", "0G", "G", "lots"}) {
            assertThatThrownBy(() -> GuardConfig.from(settings(Map.of("b3lb.cleaner.min-free", bad))))
                    .as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid b3lb.cleaner.min-free='" + bad + "' (from argument --b3lb.cleaner.min-free):"
                            + " must be empty (guard off), a share of the filesystem such as 15%")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void theGuardIntervalIsADurationFromATenthOfASecondToADay() {
        for (String bad : new String[] {"0s", "50ms", "2d", "often"}) {
            assertThatThrownBy(() -> GuardConfig.from(settings(Map.of("b3lb.cleaner.guard-interval", bad))))
                    .as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid b3lb.cleaner.guard-interval='" + bad + "'");
        }
        assertThat(GuardConfig.from(settings(Map.of("b3lb.cleaner.guard-interval", "30s"))).interval())
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theBbbRecordCommandIsAProgramPathWithoutArguments() {
        assertThatThrownBy(() -> RemovalConfig.from(settings(Map.of("b3lb.cleaner.bbb-record-command", "sudo bbb-record"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid b3lb.cleaner.bbb-record-command='sudo bbb-record'");
        assertThatThrownBy(() -> RemovalConfig.from(settings(Map.of("b3lb.cleaner.delete-bbb-recording", "yes"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be true or false");
    }
}
