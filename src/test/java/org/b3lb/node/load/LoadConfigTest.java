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
                .isEqualTo(new LoadConfig(true, "127.0.0.1", 8765, LoadFigure.Format.PERCENT));
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
