package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * B3LB's reporter arithmetic on recorded first lines of /proc/stat (a 2-CPU node, 10 s = 2000
 * ticks between lines). Expected figures are B3LB's {@code int(10000 * (1 - idle / total))},
 * computed exactly (B3LB's floats can land one below, e.g. 1999 for 80 % idle).
 */
class CpuUtilisationTest {

    // recorded on a test machine; 95865 ticks since boot, 25435 of them idle
    static final String BOOT = "cpu  58790 0 10493 25435 207 0 252 688 0 0";

    private static String line(long user, long system, long idle, long iowait) {
        return "cpu  " + user + " 0 " + system + " " + idle + " " + iowait + " 0 252 688 0 0";
    }

    @Test
    void beforeTheFirstLineThereIsNoFigureThenTheFirstIsSinceBoot() {
        CpuSampler u = new CpuSampler(Path.of("/nonexistent"), System::nanoTime);
        assertThat(u.figure()).isEqualTo(-1);
        u.add(BOOT);
        assertThat(u.figure()).isEqualTo(7346);
    }

    @Test
    void figureIsTheLargerOfTheLastIntervalAndTheLastSix() {
        CpuSampler u = new CpuSampler(Path.of("/nonexistent"), System::nanoTime);
        u.add(BOOT);
        // 500 user + 100 system + 1380 idle + 20 iowait: 31 % busy (iowait counts as busy, as in B3LB)
        u.add(line(59290, 10593, 26815, 227));
        assertThat(u.figure()).isEqualTo(3100);
        // a busy interval: 50 of 2000 idle; the interval's 97.5 % beats the two intervals' 64.25 %
        u.add(line(61090, 10743, 26865, 227));
        assertThat(u.figure()).isEqualTo(9750);
        // an idle interval: 0 % now, but the last minute (3430 of 6000 idle) still says 42.83 %
        long idle = 26865 + 2000;
        u.add(line(61090, 10743, idle, 227));
        assertThat(u.figure()).isEqualTo(4283);
        // three more idle intervals: six in the window, the busy one still among them
        for (int i = 0; i < 3; i++) {
            idle += 2000;
            u.add(line(61090, 10743, idle, 227));
        }
        // 12000 ticks, 1380 + 50 + 4 x 2000 idle
        assertThat(u.figure()).isEqualTo(2141);
        // two more: the 31 % and the busy interval leave the window of six
        idle += 2000;
        u.add(line(61090, 10743, idle, 227));
        // 12000 ticks, 50 + 5 x 2000 idle
        assertThat(u.figure()).isEqualTo(1625);
        idle += 2000;
        u.add(line(61090, 10743, idle, 227));
        assertThat(u.figure()).isZero();
    }

    @Test
    void aFullyBusyNodeIsExactly10000AndNeverMore() {
        CpuSampler u = new CpuSampler(Path.of("/nonexistent"), System::nanoTime);
        u.add(BOOT);
        u.add(line(58790 + 1900, 10493 + 100, 25435, 207));
        assertThat(u.figure()).isEqualTo(CpuSampler.SCALE);
    }

    @Test
    void aCounterThatWrappedPastItsMaximumStillGivesItsGrowth() {
        CpuSampler u = new CpuSampler(Path.of("/nonexistent"), System::nanoTime);
        // user 10 ticks before the unsigned 64-bit maximum, printed as the kernel prints it
        u.add("cpu  18446744073709551610 0 100 1000 0 0 0 0 0 0");
        u.add("cpu  4 0 100 1010 0 0 0 0 0 0");
        // grew by 10 user (wrapped) and 10 idle: 50 %
        assertThat(u.figure()).isEqualTo(5000);
    }

    @Test
    void aCounterThatWentBackCountsAsNoGrowth() {
        CpuSampler u = new CpuSampler(Path.of("/nonexistent"), System::nanoTime);
        u.add("cpu  1000 0 0 1000 50 0 0 0 0 0");
        // iowait went back by 5 (the kernel's iowait may): not -5 ticks, else the figure would drift
        u.add("cpu  1100 0 0 1100 45 0 0 0 0 0");
        assertThat(u.figure()).isEqualTo(5000);
    }

    @Test
    void noTickBetweenTwoLinesKeepsTheFigure() {
        CpuSampler u = new CpuSampler(Path.of("/nonexistent"), System::nanoTime);
        u.add(BOOT);
        u.add(line(59290, 10593, 26815, 227));
        u.add(line(59290, 10593, 26815, 227));
        assertThat(u.figure()).isEqualTo(3100);
    }

    @Test
    void anOldKernelsFourCountersAreEnough() {
        CpuSampler u = new CpuSampler(Path.of("/nonexistent"), System::nanoTime);
        u.add("cpu 100 0 100 800");
        assertThat(u.figure()).isEqualTo(2000);
        u.add("cpu 200 0 100 900");
        assertThat(u.figure()).isEqualTo(5000);
    }

    @Test
    void aMissingFieldOrAForeignLineIsRefusedAndTheFigureStays() {
        CpuSampler u = new CpuSampler(Path.of("/nonexistent"), System::nanoTime);
        u.add(BOOT);
        assertThatThrownBy(() -> u.add("cpu  58790 0 10493")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 3 counters, needs at least 4");
        assertThatThrownBy(() -> u.add("cpu  58790 0 x 25435 207")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> u.add("cpu0 29395 0 5246 12717 103 0 126 344 0 0"))
                .hasMessageContaining("not the aggregate cpu line");
        assertThatThrownBy(() -> u.add("")).hasMessageContaining("not the aggregate cpu line");
        assertThatThrownBy(() -> u.add(null)).hasMessageContaining("not the aggregate cpu line");
        assertThat(u.figure()).isEqualTo(7346);
        // and the next good line is measured against the last good one
        u.add(line(59290, 10593, 26815, 227));
        assertThat(u.figure()).isEqualTo(3100);
    }
}
