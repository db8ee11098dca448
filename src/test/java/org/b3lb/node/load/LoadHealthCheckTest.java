package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;

/** The load check's two states, from the same sampler the load endpoint answers from. */
class LoadHealthCheckTest {

    @Test
    void upWithTheFigureDownWhenTheOsHasNoLoadAverage() {
        LoadSampler ok = new LoadSampler(() -> LoadFigure.percent(1.0, 4), System::nanoTime, LoadFigure.Format.PERCENT);
        HealthCheck.Result up = new LoadHealthCheck(ok).call();
        assertThat(up.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(up.getDetails()).containsEntry("load.percent", 25.0);
        assertThat(up.getCheck().getId()).isEqualTo("load");

        LoadSampler none = new LoadSampler(() -> LoadFigure.percent(-1.0, 4), System::nanoTime, LoadFigure.Format.PERCENT);
        HealthCheck.Result down = new LoadHealthCheck(none).call();
        assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(down.getMessage()).hasValueSatisfying(m -> assertThat(m).contains("no load average").contains("503"));
    }
}
