package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Camel-native upload route can get wrong: a worker asleep through a server's Retry-After,
 * redeliveries running outside the concurrency bound, a route stop that waits for retries.
 */
class RedesignRegressionTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static boolean uploaded(Sink sink, Path dir, String id) {
        return sink.accepted(id) && !Files.exists(dir.resolve(id + ".ready"));
    }

    @Test
    void retryAfterOnOneRecordingDoesNotHoldUpAnotherAtConcurrencyOne() throws Exception {
        try (Sink sink = new Sink()) {
            sink.script("busy", Sink.Action.status(503, "Retry-After", "1"), Sink.Action.status(503, "Retry-After", "1"),
                    Sink.Action.status(503, "Retry-After", "1"));
            Recordings.ready(dir, "busy", 2000);
            try (RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint())
                    .with("b3lb.upload.concurrency", "1").with("b3lb.upload.initial-delay", "50ms")
                    .with("b3lb.upload.max-delay", "10s").start()) {
                await().atMost(WAIT).until(() -> sink.requests("busy") >= 1);
                Recordings.ready(dir, "healthy", 2000);
                await().atMost(WAIT).until(() -> uploaded(sink, dir, "healthy"));
                // the only worker was free while "busy" waited out the server's Retry-After
                assertThat(sink.accepted("busy")).isFalse();
                await().atMost(WAIT).until(() -> uploaded(sink, dir, "busy"));
                assertThat(sink.requests("busy")).isEqualTo(4);
            }
        }
    }

    @Test
    void neverMoreUploadsAtOnceThanTheConcurrencyWithRedeliveriesInFlight() throws Exception {
        try (Sink sink = new Sink()) {
            sink.answerDelay(30);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String id = "c-" + i;
                ids.add(id);
                sink.script(id, Sink.Action.status(500), Sink.Action.status(502), Sink.Action.CLOSE_MID_BODY);
                Recordings.ready(dir, id, 200_000);
            }
            try (RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint())
                    .with("b3lb.upload.concurrency", "2").with("b3lb.upload.initial-delay", "20ms")
                    .with("b3lb.upload.max-delay", "200ms").start()) {
                for (String id : ids) {
                    await().atMost(WAIT).until(() -> uploaded(sink, dir, id));
                    assertThat(sink.requests(id)).isEqualTo(4);
                }
            }
            assertThat(sink.maxConcurrent()).isBetween(1, 2);
        }
    }

    @Test
    void routeStopOverJmxWhileRetriesWaitIsQuickKeepsMarkersAndSendsNothingAfter() throws Exception {
        try (Sink sink = new Sink()) {
            sink.otherwise(Sink.Action.status(500));
            sink.script("told-to-wait", Sink.Action.status(503, "Retry-After", "30"));
            Recordings.ready(dir, "told-to-wait", 1000);
            for (int i = 0; i < 4; i++) {
                Recordings.ready(dir, "r-" + i, 1000);
            }
            LogCapture logs = LogCapture.everything();
            try (RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint())
                    .with("b3lb.upload.concurrency", "2").with("b3lb.upload.initial-delay", "1s")
                    .with("b3lb.upload.max-delay", "4s").with("b3lb.upload.max-redeliveries", "10").start()) {
                // workers asleep in Camel's redelivery (1 s, 2 s, 4 s in-route waits), one recording in the poll tier
                await().atMost(WAIT).until(() -> !logs.lines("WARN", "retry 2 of 10 in 2.0s").isEmpty()
                        && sink.requests("told-to-wait") == 1);
                MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
                ObjectName route = jmx.queryNames(new ObjectName("org.apache.camel:type=routes,name=\"upload\",*"), null)
                        .iterator().next();
                // Camel's own verdict: true only if the route stopped gracefully within 2 s
                Object graceful = jmx.invoke(route, "stop", new Object[] {2L, true},
                        new String[] {Long.class.getName(), Boolean.class.getName()});
                assertThat(graceful).isEqualTo(true);
                assertThat(jmx.getAttribute(route, "State")).isEqualTo("Stopped");
                int sent = sink.totalRequests();
                await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> sink.totalRequests() == sent);
                assertThat(dir.resolve("told-to-wait.ready")).exists();
                for (int i = 0; i < 4; i++) {
                    assertThat(dir.resolve("r-" + i + ".ready")).exists();
                    assertThat(dir.resolve("r-" + i + ".tar")).exists();
                }
            }
        }
    }
}
