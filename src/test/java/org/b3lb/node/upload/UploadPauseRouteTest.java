package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pause on the real upload route (Camel's file consumer, our poll gate, camel-http) against
 * the raw-socket receiver, with the load figure scripted: the decision reads it exactly as it reads
 * the load endpoint's sampler in the service.
 */
class UploadPauseRouteTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration HOLD = Duration.ofMillis(200);

    @TempDir
    Path dir;
    Sink sink;
    DefaultCamelContext camel;
    SimpleMeterRegistry meters;
    UploadPause pause;
    UploadHealthCheck health;
    /** What the load endpoint answers; every read counts, so a test knows polls happened without a clock. */
    volatile String figure = "1000";
    final AtomicInteger reads = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        sink = new Sink();
        UploadConfig config = config();
        pause = new UploadPause(new PauseRules(new BigDecimal("7000"), HOLD, null), () -> {
            reads.incrementAndGet();
            return (figure + "\n").getBytes(StandardCharsets.US_ASCII);
        }, Clock.systemUTC());
        meters = new SimpleMeterRegistry();
        UploadRoute route = new UploadRoute(config, new UploadMetrics(meters), pause);
        health = new UploadHealthCheck(config, route.schedule(), route.pause());
        camel = new DefaultCamelContext();
        camel.disableJMX();
        camel.getPropertiesComponent().addInitialProperty("b3lb.upload.endpoint", config.endpoint().toString());
        camel.addRoutes(route);
        camel.start();
    }

    @AfterEach
    void stop() throws Exception {
        camel.close();
        sink.close();
    }

    private UploadConfig config() {
        return UploadConfig.from(Settings.load(null, Map.of(), Map.of(
                "b3lb.recording-dir", dir.toString(),
                "b3lb.upload.endpoint", sink.endpoint(),
                "b3lb.upload.secret", "pause-secret",
                "b3lb.upload.poll-delay", "50ms",
                "b3lb.upload.concurrency", "1",
                "b3lb.upload.idle-timeout", "20s")));
    }

    /** Several polls read the figure since this call (each poll asks before it lists). */
    private void awaitPolls(int n) {
        int from = reads.get();
        await().atMost(WAIT).until(() -> reads.get() >= from + n);
    }

    private double paused(String reason) {
        return meters.get("b3lb.upload.paused").tag("reason", reason).gauge().value();
    }

    private HealthCheck.Result health() {
        return health.call();
    }

    @Test
    void aBusyNodeKeepsARecordingWaitingUntilTheFigureStaysBelowForTheHold() throws Exception {
        assertThat(paused("busy")).isZero();
        assertThat(health().getDetails()).containsEntry(UploadHealthCheck.PAUSED, "no");
        figure = "8123";
        Recordings.ready(dir, "busy-1", 100_000);
        awaitPolls(10);

        assertThat(sink.requests("busy-1")).isZero();
        assertThat(dir.resolve("busy-1.ready")).exists();
        assertThat(paused("busy")).isEqualTo(1.0);
        assertThat(paused("hours")).isZero();
        HealthCheck.Result h = health();
        assertThat(h.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat((String) h.getDetails().get(UploadHealthCheck.PAUSED)).startsWith("node busy (figure 8123 above 7000 for ");

        long dropped = System.nanoTime();
        figure = "6999";
        await().atMost(WAIT).until(() -> sink.accepted("busy-1") && Files.notExists(dir.resolve("busy-1.ready")));
        // the hold is a lower bound by construction: the first read below starts it
        assertThat(sink.arrivals("busy-1").get(0) - dropped).isGreaterThanOrEqualTo(HOLD.toNanos());
        assertThat(paused("busy")).isZero();
        assertThat(health().getDetails()).containsEntry(UploadHealthCheck.PAUSED, "no");
    }

    @Test
    void aRunningUploadIsNotCutWhenTheFigureRisesAndNoQueuedOrNewOneStarts() throws Exception {
        sink.script("running", Sink.Action.pause(200));
        Recordings.ready(dir, "running", 2_000_000);
        sink.awaitPaused(); // 64 KiB of it arrived; the rest waits for the receiver
        // polled before the pause, queued behind the one worker (concurrency 1)
        Recordings.ready(dir, "queued", 1000);
        await().atMost(WAIT).until(() -> camel.getInflightRepository().size(UploadRoute.ROUTE_ID) == 2);
        figure = "9500";
        Recordings.ready(dir, "next", 1000);
        awaitPolls(10);
        assertThat(paused("busy")).isEqualTo(1.0);

        sink.release();
        await().atMost(WAIT).until(() -> sink.accepted("running") && Files.notExists(dir.resolve("running.ready")));
        assertThat(sink.received("running")).singleElement().satisfies(r -> {
            assertThat(r.size()).isEqualTo(2_000_000);
            assertThat(r.answered()).isEqualTo(200);
        });
        await().atMost(WAIT).until(() -> camel.getInflightRepository().size(UploadRoute.ROUTE_ID) == 0);
        awaitPolls(5);
        assertThat(sink.requests("next")).isZero();
        assertThat(sink.requests("queued")).as("queued before the pause, ended without a request").isZero();
        assertThat(dir.resolve("next.ready")).exists();
        assertThat(dir.resolve("queued.ready")).exists();

        figure = "100";
        await().atMost(WAIT).until(() -> sink.accepted("next") && Files.notExists(dir.resolve("next.ready"))
                && sink.accepted("queued") && Files.notExists(dir.resolve("queued.ready")));
        assertThat(sink.requests("queued")).isEqualTo(1);
        assertThat(sink.requests("running")).isEqualTo(1);
    }

    @Test
    void pushOnceUploadsWhilePausedByFigureAndHours() throws Exception {
        camel.getRouteController().stopRoute(UploadRoute.ROUTE_ID); // only push --once here
        Recordings.ready(dir, "pushed", 5000);
        // a window that excludes now, whatever the time, and a threshold any figure is above
        java.time.LocalTime now = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
        String hours = String.format("%02d:00-%02d:00", (now.getHour() + 2) % 24, (now.getHour() + 3) % 24);
        Map<String, String> keys = new java.util.HashMap<>(Map.of("b3lb.recording-dir", dir.toString(),
                "b3lb.upload.endpoint", sink.endpoint(), "b3lb.upload.secret", "pause-secret",
                "b3lb.upload.pause-above", "0", "b3lb.load.format", "integer",
                "b3lb.upload.hours", hours, "b3lb.cleaner.time-zone", "UTC"));
        UploadConfig config = UploadConfig.from(Settings.load(null, Map.of(), keys));
        assertThat(new UploadPause(config.pause(), () -> "1\n".getBytes(StandardCharsets.US_ASCII), Clock.systemUTC()).now())
                .as("the service would be paused for both reasons").satisfies(s -> {
                    assertThat(s.busy()).isTrue();
                    assertThat(s.outsideHours()).isTrue();
                });

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = PushOnce.run(config, new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("uploaded 1, failed 0, missing tar 0\n");
        assertThat(code).isZero();
        assertThat(sink.accepted("pushed")).isTrue();
    }
}
