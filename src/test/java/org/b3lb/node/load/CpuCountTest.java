package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuCountTest {

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
        String online = java.nio.file.Files.readString(LoadFigure.ONLINE);
        assertThat(LoadFigure.onlineCpus()).isEqualTo(LoadFigure.parseRanges(online)).isPositive();
    }
}
