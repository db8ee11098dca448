package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.util.concurrent.SizedScheduledExecutorService;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class UploadWatchdogTest {

    /** A real context's executor service manager, where the route's watchdog takes its thread from. */
    private static final CamelContext CAMEL = new DefaultCamelContext();

    private final RecordingFiles r = RecordingFiles.ofMarker(Path.of("/tmp/rec-w.ready"));

    @AfterAll
    static void stopCamel() throws Exception {
        CAMEL.close();
    }

    @Test
    void anAttemptThatStopsMovingIsCancelledAndReportedAsIdle() {
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(200), CAMEL.getExecutorServiceManager())) {
            UploadProgress p = new UploadProgress(r, 1000);
            AtomicBoolean cancelled = new AtomicBoolean();
            p.attach(() -> cancelled.set(true));
            w.watch(p);
            p.moved();
            await().atMost(Duration.ofSeconds(10)).untilTrue(cancelled);
            assertThat(w.done(p)).isTrue();
        }
    }

    @Test
    void anAttemptThatKeepsMovingIsLeftAloneAndNotReportedIdle() throws Exception {
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofSeconds(30), CAMEL.getExecutorServiceManager())) {
            UploadProgress p = new UploadProgress(r, 1000);
            AtomicBoolean cancelled = new AtomicBoolean();
            p.attach(() -> cancelled.set(true));
            w.watch(p);
            p.addTar(1000);
            assertThat(w.done(p)).isFalse();
            assertThat(cancelled).isFalse();
        }
    }

    @Test
    void bigUploadsLogTheirProgress() {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(UploadWatchdog.class)).addAppender(log);
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofSeconds(30), CAMEL.getExecutorServiceManager(), 100, Duration.ofMillis(50))) {
            UploadProgress p = new UploadProgress(r, 4000);
            w.watch(p);
            p.addTar(1000);
            await().atMost(Duration.ofSeconds(10)).until(() -> !messages(log).isEmpty());
            assertThat(messages(log).get(0)).startsWith("uploading rec-w: 1000 B of 3.9 KiB (25%) at ").endsWith(" MB/s");
            w.done(p);
        }
    }

    @Test
    void withNoAttemptNothingIsScheduledAndNoThreadStarted() {
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(200), CAMEL.getExecutorServiceManager())) {
            assertIdle(w);
            assertThat(threads(w)).isZero();
        }
    }

    @Test
    void itTicksWhileAnyAttemptIsWatchedAndStopsWhenTheLastIsDone() {
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofSeconds(30), CAMEL.getExecutorServiceManager())) {
            UploadProgress a = new UploadProgress(r, 1000);
            UploadProgress b = new UploadProgress(r, 1000);
            w.watch(a);
            w.watch(b);
            assertThat(w.ticking()).isTrue();
            assertThat(threads(w)).isEqualTo(1);
            w.done(a);
            assertThat(w.ticking()).isTrue();
            w.done(b);
            assertIdle(w);
            w.done(b); // twice, as a failure after a success would: still idle, no error
            assertIdle(w);
        }
    }

    @Test
    void anAttemptAfterAnIdleSpellIsWatchedAgain() {
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(200), CAMEL.getExecutorServiceManager())) {
            UploadProgress first = new UploadProgress(r, 1000);
            w.watch(first);
            w.done(first);
            assertIdle(w);
            UploadProgress p = new UploadProgress(r, 1000);
            AtomicBoolean cancelled = new AtomicBoolean();
            p.attach(() -> cancelled.set(true));
            w.watch(p);
            await().atMost(Duration.ofSeconds(10)).untilTrue(cancelled);
            assertThat(w.done(p)).isTrue();
            assertIdle(w);
        }
    }

    @Test
    void concurrentAttemptsLeaveItIdleOnceAllAreDone() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(100), CAMEL.getExecutorServiceManager())) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                workers.add(pool.submit(() -> {
                    go.await();
                    for (int n = 0; n < 2000; n++) {
                        UploadProgress p = new UploadProgress(r, 1000);
                        w.watch(p);
                        assertThat(w.ticking()).isTrue();
                        w.done(p);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : workers) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertIdle(w);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void itsThreadIsNamedByCamelAndEndsWithTheContext() throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.start();
        UploadWatchdog w = new UploadWatchdog(Duration.ofSeconds(30), camel.getExecutorServiceManager());
        UploadProgress p = new UploadProgress(r, 1000);
        w.watch(p);
        String name = w.timer.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
        assertThat(name).startsWith("Camel (" + camel.getName() + ") thread #").endsWith(" - upload-watchdog");
        camel.close();
        assertThat(w.timer.isShutdown()).isTrue();
    }

    @Test
    void anAttemptWatchedAfterCloseIsIgnoredWithoutError() {
        UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(200), CAMEL.getExecutorServiceManager());
        w.close();
        w.watch(new UploadProgress(r, 1000));
        assertThat(w.ticking()).isFalse();
        assertThat(threads(w)).isZero();
    }

    private static void assertIdle(UploadWatchdog w) {
        assertThat(w.ticking()).isFalse();
        assertThat(queued(w)).isZero();
    }

    /** Threads of the watchdog's pool: 0 until the first attempt. */
    private static int threads(UploadWatchdog w) {
        return pool(w).getPoolSize();
    }

    /** Checks queued on the watchdog's pool: 0 when idle. */
    private static int queued(UploadWatchdog w) {
        return pool(w).getQueue().size();
    }

    private static ScheduledThreadPoolExecutor pool(UploadWatchdog w) {
        return w.timer instanceof SizedScheduledExecutorService s ? s.getScheduledThreadPoolExecutor() : (ScheduledThreadPoolExecutor) w.timer;
    }

    private static List<String> messages(ListAppender<ILoggingEvent> a) {
        synchronized (a) {
            return new ArrayList<>(a.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
