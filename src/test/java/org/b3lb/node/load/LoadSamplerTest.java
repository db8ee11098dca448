package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadSamplerTest {

    private final AtomicLong now = new AtomicLong(0);
    private final AtomicInteger reads = new AtomicInteger();

    private LoadSampler sampler(double load) {
        // each OS read sees a different figure
        return new LoadSampler(() -> LoadFigure.percent(load + reads.incrementAndGet() - 1, 2), now::get, LoadFigure.Format.PERCENT);
    }

    @Test
    void readsTheOsAtMostOncePerSecond() {
        LoadSampler s = sampler(1.0);
        assertThat(text(s)).isEqualTo("50.00\n");
        now.set(LoadSampler.MAX_AGE_NANOS - 1);
        assertThat(text(s)).isEqualTo("50.00\n");
        assertThat(reads).hasValue(1);
        now.set(LoadSampler.MAX_AGE_NANOS);
        assertThat(text(s)).isEqualTo("100.00\n");
        assertThat(s.percent()).isEqualTo(100.0);
        assertThat(reads).hasValue(2);
    }

    @Test
    void integerFormatServesTheSameFigureOnB3lbsScale() {
        LoadSampler s = new LoadSampler(() -> LoadFigure.percent(1.8128, 4), now::get, LoadFigure.Format.INTEGER);
        assertThat(text(s)).isEqualTo("4532\n");
        assertThat(s.percent()).isEqualTo(45.32);
    }

    @Test
    void cpuSourceServesTheSamplersUtilisation() throws Exception {
        java.nio.file.Path stat = java.nio.file.Files.createTempFile("stat", "");
        try {
            java.nio.file.Files.writeString(stat, "cpu  4532 0 0 5468 0 0 0 0 0 0\n");
            CpuSampler cpu = new CpuSampler(stat, System::nanoTime);
            assertThat(text(new LoadSampler(cpu::percent, now::get, LoadFigure.Format.INTEGER))).isEqualTo("4532\n");
            assertThat(text(new LoadSampler(cpu::percent, now::get, LoadFigure.Format.PERCENT))).isEqualTo("45.32\n");
        } finally {
            java.nio.file.Files.delete(stat);
        }
    }

    @Test
    void noLoadAverageGivesNoBody() {
        LoadSampler s = new LoadSampler(() -> LoadFigure.percent(-1.0, 4), now::get, LoadFigure.Format.PERCENT);
        assertThat(s.body()).isNull();
        assertThat(s.percent()).isNegative();
    }

    private static String text(LoadSampler s) {
        return new String(s.body(), StandardCharsets.US_ASCII);
    }
}
