package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code b3lb.upload.max-rate} as the admin writes it: binary units like min-free, empty for no cap. */
class UploadRateConfigTest {

    private static UploadConfig config(Map<String, String> env, String maxRate) {
        return UploadConfig.from(Settings.load(null, env, maxRate == null
                ? Map.of("b3lb.upload.secret", "s")
                : Map.of("b3lb.upload.secret", "s", "b3lb.upload.max-rate", maxRate)));
    }

    @Test
    void noCapByDefault() {
        assertThat(config(Map.of(), null).maxRate()).isZero();
        assertThat(config(Map.of(), "").maxRate()).isZero();
        assertThat(config(Map.of(), " ").maxRate()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"50M, 52428800", "800K, 819200", "4M, 4194304", "1.5M, 1572864", "65536, 65536", "2G, 2147483648", "50MiB, 52428800"})
    void binaryUnitsOrBytesPerSecond(String text, long bytes) {
        assertThat(config(Map.of(), text).maxRate()).isEqualTo(bytes);
    }

    @Test
    void theEnvironmentVariableSetsItAsForEveryKey() {
        assertThat(config(Map.of("B3LB_UPLOAD_MAX_RATE", "10M"), null).maxRate()).isEqualTo(10L << 20);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5 M", "-1", "abc", "0", "0K", "100", "50Mbit", "50M/s"})
    void anythingElseStopsTheStartWithOneLineNamingTheKeyAndTheFix(String bad) {
        assertThatThrownBy(() -> config(Map.of(), bad))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid b3lb.upload.max-rate='" + bad + "' (from argument --b3lb.upload.max-rate)")
                .hasMessageContaining("e.g. 50M")
                .hasMessageContaining("empty for no cap")
                .hasMessageNotContaining("\n");
    }
}
