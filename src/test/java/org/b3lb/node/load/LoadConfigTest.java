package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.Test;

class LoadConfigTest {

    @Test
    void defaultsAreTheSpecsEndpoint() {
        assertThat(LoadConfig.from(Settings.load(null, Map.of(), Map.of())))
                .isEqualTo(new LoadConfig(true, "127.0.0.1", 8765, LoadFigure.Format.PERCENT, LoadConfig.Source.LOADAVG));
    }

    @Test
    void theB3lbProtocolAnswersCpuUtilisationAsAnInteger() {
        LoadConfig c = LoadConfig.from(Settings.load(null, Map.of("B3LB_PROTOCOL", "b3lb"), Map.of()));
        assertThat(c.format()).isEqualTo(LoadFigure.Format.INTEGER);
        assertThat(c.source()).isEqualTo(LoadConfig.Source.CPU);
        assertThat(c.samplesCpu()).isTrue();
        assertThat(LoadConfig.from(Settings.load(null, Map.of("B3LB_PROTOCOL", "b3lb"), Map.of("b3lb.load.enabled", "false")))
                .samplesCpu()).isFalse();
    }

    @Test
    void sourceIsLoadavgOrCpu() {
        Settings s = Settings.load(null, Map.of(), Map.of("b3lb.load.source", "cpu"));
        assertThat(LoadConfig.from(s).source()).isEqualTo(LoadConfig.Source.CPU);
        assertThat(LoadConfig.from(s).format()).isEqualTo(LoadFigure.Format.PERCENT);
        assertThatThrownBy(() -> LoadConfig.from(Settings.load(null, Map.of(), Map.of("b3lb.load.source", "proc"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid b3lb.load.source='proc' (from argument --b3lb.load.source): must be loadavg "
                        + "(1-minute load average / CPUs, the spec's) or cpu (CPU utilisation from /proc/stat, as B3LB's own reporter)");
    }

    @Test
    void integerFormatCanBeChosen() {
        Settings s = Settings.load(null, Map.of("B3LB_LOAD_FORMAT", "integer"), Map.of());
        assertThat(LoadConfig.from(s).format()).isEqualTo(LoadFigure.Format.INTEGER);
    }

    @Test
    void unknownFormatAndBadHostAreOneLineErrors() {
        assertThatThrownBy(() -> LoadConfig.from(Settings.load(null, Map.of(), Map.of("b3lb.load.format", "json"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid b3lb.load.format='json' (from argument --b3lb.load.format): must be percent "
                        + "(45.32, the spec's answer) or integer (4532, B3LB 3.x's 0..10000 scale)");
        assertThatThrownBy(() -> LoadConfig.from(Settings.load(null, Map.of(), Map.of("b3lb.load.host", "http://x"))))
                .hasMessageStartingWith("invalid b3lb.load.host='http://x'");
    }
}
