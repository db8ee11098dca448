package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuSamplerTest {

    @TempDir
    Path dir;

    @Test
    void readsTheFirstLineOfProcStatAndAnswersPercent() throws Exception {
        Path stat = Files.writeString(dir.resolve("stat"), "cpu  1000 0 0 1000 0 0 0 0 0 0\ncpu0 500 0 0 500 0 0 0 0 0 0\nintr 1\n");
        CpuSampler s = new CpuSampler(stat, System::nanoTime);
        // asked before the timer's first run: samples on the spot (since boot: 50 %)
        assertThat(s.percent()).isEqualTo(50.0);
        Files.writeString(stat, "cpu  1000 0 0 1100 0 0 0 0 0 0\n");
        s.sample();
        assertThat(s.percent()).isEqualTo(0.0);
        Files.writeString(stat, "cpu  1300 0 0 1200 0 0 0 0 0 0\n");
        s.sample();
        assertThat(s.percent()).isEqualTo(75.0);
    }

    @Test
    void theRealProcStatGivesAFigureOnTheScale() {
        CpuSampler s = new CpuSampler();
        s.sample();
        assertThat(s.percent()).isBetween(0.0, 100.0);
    }

    @Test
    void anUnreadableSourceIsLoggedOnceAndGivesNoFigure() throws Exception {
        CpuSampler s = new CpuSampler(dir.resolve("missing"), System::nanoTime);
        Logger logger = (Logger) LoggerFactory.getLogger(CpuSampler.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            assertThat(s.percent()).isNegative();
            s.sample();
            s.sample();
            assertThat(log.list).hasSize(1);
            assertThat(log.list.get(0).getFormattedMessage()).contains("cannot read CPU utilisation from " + dir.resolve("missing"))
                    .contains("b3lb.load.source=loadavg");
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void withoutTheRoutesSamplesTheFigureIsReadOnDemandInsteadOfFreezing() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        Path stat = Files.writeString(dir.resolve("stat"), "cpu  1000 0 0 1000 0 0 0 0 0 0\n");
        CpuSampler s = new CpuSampler(stat, now::get);
        assertThat(s.percent()).isEqualTo(50.0);
        Files.writeString(stat, "cpu  1000 0 0 2000 0 0 0 0 0 0\n");
        // a fresh sample is served as it is
        now.set(CpuSampler.STALE_NANOS - 1);
        assertThat(s.percent()).isEqualTo(50.0);
        // three periods without one (load-sample stopped over JMX): read now
        now.set(CpuSampler.STALE_NANOS);
        assertThat(s.percent()).isEqualTo(0.0);
    }
}
