package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Stopping the service never waits for a backoff to run out, and never costs a marker. */
class ShutdownTest {

    @TempDir
    Path dir;

    private static List<String> messages(ListAppender<ILoggingEvent> a) {
        synchronized (a) {
            return new ArrayList<>(a.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void stopDuringABackoffKeepsTheMarkerAndDoesNotWaitForTheRetry() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger("org.b3lb.node.upload")).addAppender(log);
        try (Sink sink = new Sink()) {
            sink.otherwise(Sink.Action.status(503));
            Recordings.ready(dir, "waiting", 1000);
            RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint())
                    .with("b3lb.upload.initial-delay", "10m").with("b3lb.upload.max-delay", "10m").start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> messages(log).stream().anyMatch(m -> m.contains("waiting: upload failed: HTTP 503")));
            // with Camel's own delayed redelivery this would wait out the shutdown timeout (45 s)
            node.close();
            assertThat(messages(log)).anyMatch(m -> m.startsWith("1 recording(s) waiting to retry keep their markers"));
            assertThat(dir.resolve("waiting.ready")).exists();
            assertThat(Files.exists(dir.resolve("waiting.tar"))).isTrue();
            assertThat(sink.requests("waiting")).isEqualTo(1);
        }
    }

    @Test
    void routeStoppedOverJmxDuringABackoffKeepsTheMarkerAndResumesOnStart() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger("org.b3lb.node.upload")).addAppender(log);
        try (Sink sink = new Sink()) {
            sink.script("paused", Sink.Action.status(503));
            Recordings.ready(dir, "paused", 1000);
            try (RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint())
                    .with("b3lb.upload.initial-delay", "10m").with("b3lb.upload.max-delay", "10m").start()) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> messages(log).stream().anyMatch(m -> m.contains("paused: upload failed: HTTP 503")));
                javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
                javax.management.ObjectName route = jmx.queryNames(
                        new javax.management.ObjectName("org.apache.camel:type=routes,name=\"upload\",*"), null).iterator().next();
                jmx.invoke(route, "stop", null, null);
                assertThat(jmx.getAttribute(route, "State")).isEqualTo("Stopped");
                assertThat(messages(log)).anyMatch(m -> m.startsWith("1 recording(s) waiting to retry keep their markers"));
                assertThat(dir.resolve("paused.ready")).exists();
                // a restarted route starts with a fresh backoff: the admin asked for it
                jmx.invoke(route, "start", null, null);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> sink.accepted("paused") && !Files.exists(dir.resolve("paused.ready")));
            }
        }
    }
}
