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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class UploadWatchdogTest {

    private final Recording r = Recording.ofMarker(Path.of("/tmp/rec-w.ready"));

    @Test
    void anAttemptThatStopsMovingIsCancelledAndReportedAsIdle() {
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(200))) {
            UploadProgress p = new UploadProgress(r, 1000);
            AtomicBoolean cancelled = new AtomicBoolean();
            p.attach(() -> cancelled.set(true));
            w.watch(p);
            p.add(10);
            await().atMost(Duration.ofSeconds(10)).untilTrue(cancelled);
            assertThat(w.done(p)).isTrue();
        }
    }

    @Test
    void anAttemptThatKeepsMovingIsLeftAloneAndNotReportedIdle() throws Exception {
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofSeconds(30))) {
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
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofSeconds(30), 100, Duration.ofMillis(50))) {
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
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(200))) {
            assertIdle(w);
            assertThat(w.threads()).isZero();
        }
    }

    @Test
    void itTicksWhileAnyAttemptIsWatchedAndStopsWhenTheLastIsDone() {
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofSeconds(30))) {
            UploadProgress a = new UploadProgress(r, 1000);
            UploadProgress b = new UploadProgress(r, 1000);
            w.watch(a);
            w.watch(b);
            assertThat(w.ticking()).isTrue();
            assertThat(w.threads()).isEqualTo(1);
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
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(200))) {
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
        try (UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(100))) {
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
    void anAttemptWatchedAfterCloseIsIgnoredWithoutError() {
        UploadWatchdog w = new UploadWatchdog(Duration.ofMillis(200));
        w.close();
        w.watch(new UploadProgress(r, 1000));
        assertThat(w.ticking()).isFalse();
        assertThat(w.threads()).isZero();
    }

    private static void assertIdle(UploadWatchdog w) {
        assertThat(w.ticking()).isFalse();
        assertThat(w.queuedChecks()).isZero();
    }

    private static List<String> messages(ListAppender<ILoggingEvent> a) {
        synchronized (a) {
            return new ArrayList<>(a.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
