package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadFigureTest {

    @ParameterizedTest
    @CsvSource({
        "1.8128, 4, 45.32",   // the spec's example figure
        "0.0,    8, 0.00",
        "2.0,    1, 200.00",  // an overloaded single-CPU node goes above 100, as the spec's script did
        "0.005,  1, 0.50",
        "0.00005, 1, 0.01",   // half-up at the second decimal
        "0.00004, 1, 0.00",
        "123.456, 2, 6172.80",
    })
    void formatsLoadOverCpusAsPercentWithTwoDecimals(double load, int cpus, String expected) {
        assertThat(LoadFigure.format(LoadFigure.percent(load, cpus))).isEqualTo(expected + "\n");
    }

    @ParameterizedTest
    @CsvSource({"45.32, 4532", "0.0, 0", "0.004, 0", "0.005, 1", "99.994, 9999", "99.995, 10000", "100.0, 10000",
        // capped to B3LB's 100 %: an overloaded load average must not read as worse than a dead node
        "100.01, 10000", "250.555, 10000", "6172.80, 10000"})
    void integerFormatIsPercentTimesHundredRoundedAndCappedAt10000(double percent, String expected) {
        assertThat(LoadFigure.formatInteger(percent)).isEqualTo(expected + "\n");
    }

    @Test
    void zeroCpusCountAsOne() {
        assertThat(LoadFigure.percent(0.5, 0)).isEqualTo(50.0);
    }

    @Test
    void missingLoadAverageIsNegative() {
        assertThat(LoadFigure.percent(-1, 4)).isNegative();
        assertThat(LoadFigure.percent(Double.NaN, 4)).isNegative();
    }

    @Test
    void decimalSeparatorIsAlwaysADot() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(LoadFigure.format(45.321)).isEqualTo("45.32\n");
        } finally {
            Locale.setDefault(before);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"0;1", "0-1;2", "0-3,8-11,14;9", "3-1;0"})
    void parsesTheKernelsCpuList(String list, int expected) {
        assertThat(LoadFigure.parseRanges(list)).isEqualTo(expected);
    }

    @Test
    void toleratesTheTrailingNewlineOfTheSysFile() {
        assertThat(LoadFigure.parseRanges("0-63\n")).isEqualTo(64);
    }

    @Test
    void emptyOrGarbageIsNotACount() {
        assertThat(LoadFigure.parseRanges("")).isZero();
        assertThatThrownBy(() -> LoadFigure.parseRanges("a-b")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void onlineCountMatchesTheKernel() throws Exception {
        String online = Files.readString(LoadFigure.ONLINE);
        assertThat(LoadFigure.onlineCpus()).isEqualTo(LoadFigure.parseRanges(online)).isPositive();
    }
}
