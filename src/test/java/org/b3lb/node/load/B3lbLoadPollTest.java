package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.apache.camel.ServiceStatus;
import org.b3lb.node.testing.B3lbLoadPoll;
import org.b3lb.node.testing.RunningNode;
import org.b3lb.node.testing.Schedules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load answer of a running node, read the way B3LB 3.x's poller reads it, under each protocol. */
class B3lbLoadPollTest {

    @TempDir
    Path dir;

    @Test
    void theParserBehavesLikePythonsInt() {
        assertThat(B3lbLoadPoll.pythonInt("4532")).isEqualTo(4532);
        assertThat(B3lbLoadPoll.pythonInt(" 12 \r")).isEqualTo(12);
        assertThat(B3lbLoadPoll.pythonInt("+7")).isEqualTo(7);
        assertThat(B3lbLoadPoll.pythonInt("-3")).isEqualTo(-3);
        for (String bad : new String[] {"45.32", "", "1e3", "12a", "- 1", "0x10"}) {
            assertThatThrownBy(() -> B3lbLoadPoll.pythonInt(bad)).as(bad).hasMessageContaining("invalid literal");
        }
    }

    @Test
    void underTheB3lbProtocolB3lbReadsCpuUtilisationOnItsScale() throws Exception {
        try (RunningNode node = RunningNode.builder(dir).with("b3lb.protocol", "b3lb").start()) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = node.load("GET", "/");
                assertThat(r.body()).matches("\\d+\\n");
                assertThat(B3lbLoadPoll.cpuLoad(r)).isBetween(0, 10000);
            }
            assertThat(node.context().getRouteController().getRouteStatus("load-sample")).isEqualTo(ServiceStatus.Started);
            assertThat(Schedules.timerThread("load-sample")).isTrue();
        }
    }

    @Test
    void underTheSpecProtocolTheAnswerIsTheSpecsPercentWhichB3lbCannotParse() throws Exception {
        try (RunningNode node = RunningNode.builder(dir).start()) {
            HttpResponse<String> r = node.load("GET", "/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).matches("\\d+\\.\\d{2}\\n");
            assertThatThrownBy(() -> B3lbLoadPoll.cpuLoad(r)).hasMessageContaining("invalid literal");
            // nothing samples /proc/stat when nothing reads it
            assertThat(node.context().getRouteController().getRouteStatus("load-sample")).isEqualTo(ServiceStatus.Stopped);
            assertThat(Schedules.timerThread("load-sample")).isFalse();
            assertThat(Schedules.quartzTrigger(node.context(), "load-sample")).isFalse();
        }
    }

    @Test
    void underTheSpecProtocolTheIntegerFormatIsParsedAndCapped() throws Exception {
        // the load average of an overloaded node can be any multiple of its CPUs: capped at B3LB's 100 %
        try (RunningNode node = RunningNode.builder(dir).with("b3lb.load.format", "integer").start()) {
            assertThat(B3lbLoadPoll.cpuLoad(node.load("GET", "/"))).isBetween(0, 10000);
        }
    }
}
