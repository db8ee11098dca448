package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The upload route as B3LB sees it: real HTTP against a scripted server, on the started service. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UploadRouteTest {

    static final String SECRET = RunningNode.TEST_SECRET;
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path tmp;
    static Path dir;
    static Sink sink;
    static RunningNode node;
    static LogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.everything();
        sink = new Sink();
        dir = java.nio.file.Files.createDirectories(tmp.resolve("archived"));
        // what BBB and others keep there: never moved, renamed or deleted by the route
        Files.writeString(dir.resolve("meeting-1.done"), "");
        Files.writeString(dir.resolve("notes.txt"), "x");
        Recordings.tar(dir, "not-marked", 100);
        node = RunningNode.builder(dir)
                .with("b3lb.upload.endpoint", sink.endpoint())
                .with("b3lb.upload.initial-delay", "50ms")
                .with("b3lb.upload.max-delay", "2s")
                .with("b3lb.upload.idle-timeout", "1s")
                .with("b3lb.upload.max-redeliveries", "5")
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
        sink.close();
        assertThat(logs.lines()).noneMatch(l -> l.contains(SECRET));
    }

    private static void awaitUploaded(String id) {
        await().atMost(WAIT).until(() -> sink.accepted(id) && !Files.exists(dir.resolve(id + ".ready")));
    }

    @Test
    void sendsTheTarAsMultipartWithTheSecretThenRemovesOnlyTheMarker() throws Exception {
        Path tar = Recordings.ready(dir, "rec-ok", 300_000);
        awaitUploaded("rec-ok");

        Sink.Received r = sink.received("rec-ok").get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/b3lb/b/recording/upload");
        assertThat(r.field()).isEqualTo("recording");
        assertThat(r.filename()).isEqualTo("rec-ok.tar");
        assertThat(r.partType()).isEqualTo("application/x-tar");
        assertThat(r.secret()).isEqualTo(SECRET);
        assertThat(r.size()).isEqualTo(300_000);
        assertThat(r.sha256()).isEqualTo(Recordings.sha256(tar));
        // the tar stays, untouched, for the cleanup route, which counts retention from the evidence of the 2xx
        assertThat(tar).exists();
        assertThat(Files.getLastModifiedTime(tar)).isEqualTo(Recordings.OLD);
        assertThat(Evidence.uploadedAt(new RecordingFiles(dir, "rec-ok"), FileIdentity.of(tar))).isPresent();
        await().atMost(WAIT).until(() -> !logs.lines("INFO", "uploaded rec-ok: 293.0 KiB in ").isEmpty());
    }

    @Test
    void answer204IsSuccessToo() throws Exception {
        sink.script("rec-204", Sink.Action.status(204));
        Recordings.ready(dir, "rec-204", 1000);
        awaitUploaded("rec-204");
        assertThat(sink.requests("rec-204")).isEqualTo(1);
    }

    @Test
    void serverErrorsAreRetriedUntilSuccess() throws Exception {
        sink.script("rec-500", Sink.Action.status(500), Sink.Action.status(500), Sink.Action.status(500));
        Path tar = Recordings.ready(dir, "rec-500", 5000);
        awaitUploaded("rec-500");
        assertThat(sink.requests("rec-500")).isEqualTo(4);
        assertThat(sink.received("rec-500").get(3).sha256()).isEqualTo(Recordings.sha256(tar));
        assertThat(logs.lines("WARN", "rec-500: upload failed: HTTP 500")).hasSize(3);
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        sink.script("rec-503", Sink.Action.status(503, "Retry-After", "1"));
        Recordings.ready(dir, "rec-503", 5000);
        awaitUploaded("rec-503");
        assertThat(sink.requests("rec-503")).isEqualTo(2);
        assertThat(logs.lines("WARN", "rec-503: upload failed: HTTP 503"))
                .singleElement().asString().contains("retry 1 of 5 in 1.0s (server's Retry-After)");
    }

    @Test
    void aTwoHundredWhoseBodyBreaksOffIsSuccessNotAResend() throws Exception {
        // issue 10 D8: the status line says stored; a truncated or stalled answer after it must not resend 4 GiB
        sink.script("rec-2xx-cut", Sink.Action.OK_THEN_CUT);
        sink.script("rec-2xx-stall", Sink.Action.OK_THEN_STALL);
        Recordings.ready(dir, "rec-2xx-cut", 5000);
        Recordings.ready(dir, "rec-2xx-stall", 5000);
        awaitUploaded("rec-2xx-cut");
        awaitUploaded("rec-2xx-stall");
        assertThat(sink.requests("rec-2xx-cut")).isEqualTo(1);
        assertThat(sink.requests("rec-2xx-stall")).isEqualTo(1);
        assertThat(logs.lines("INFO", "uploaded rec-2xx-stall: ")).hasSize(1);
    }

    @Test
    void retryAfterBeyondMaxDelayIsCappedAndTheLogSaysSo() throws Exception {
        // issue 10 D9: max-delay is 2s here; the server asks for an hour
        sink.script("rec-ra-long", Sink.Action.status(503, "Retry-After", "3600"));
        Recordings.ready(dir, "rec-ra-long", 1000);
        awaitUploaded("rec-ra-long");
        assertThat(logs.lines("WARN", "rec-ra-long: upload failed: HTTP 503")).singleElement().asString()
                .contains("in 2.0s (server's Retry-After 1h0m, capped at b3lb.upload.max-delay)");
    }

    @Test
    void refusedSecretIsOneErrorWithTheFixAndNoRetryStorm() throws Exception {
        sink.script("rec-401", Sink.Action.status(401));
        Recordings.ready(dir, "rec-401", 5000);
        // retried after b3lb.upload.max-delay (2s here), not redelivered at once
        awaitUploaded("rec-401");
        assertThat(sink.requests("rec-401")).isEqualTo(2);
        assertThat(logs.lines("ERROR", "rec-401")).singleElement().asString()
                .contains("HTTP 401").contains("check b3lb.upload.secret-file").contains("the marker stays, next try in 2.0s");
    }

    @Test
    void connectionClosedMidBodyIsRetried() throws Exception {
        sink.script("rec-cut", Sink.Action.CLOSE_MID_BODY);
        Path tar = Recordings.ready(dir, "rec-cut", 2_000_000);
        awaitUploaded("rec-cut");
        assertThat(sink.received("rec-cut")).singleElement()
                .satisfies(r -> assertThat(r.sha256()).isEqualTo(Recordings.sha256(tar)));
    }

    @Test
    void serverThatNeverAnswersIsAbortedAfterTheIdleTimeout() throws Exception {
        sink.script("rec-hang", Sink.Action.HANG);
        Recordings.ready(dir, "rec-hang", 5000);
        awaitUploaded("rec-hang");
        assertThat(sink.requests("rec-hang")).isEqualTo(2);
        assertThat(logs.lines("WARN", "rec-hang: upload failed")).singleElement().asString()
                .contains("b3lb.upload.idle-timeout");
    }

    @Test
    void serverThatStopsReadingMidBodyIsAbortedAfterTheIdleTimeout() throws Exception {
        sink.script("rec-stall", Sink.Action.STALL);
        Path tar = dir.resolve("rec-stall.tar");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(tar.toFile(), "rw")) {
            f.setLength(64L << 20); // more than loopback's socket buffers, so the client's write blocks
        }
        Files.setLastModifiedTime(tar, Recordings.OLD);
        Recordings.marker(dir, "rec-stall");
        awaitUploaded("rec-stall");
        assertThat(sink.requests("rec-stall")).isEqualTo(2);
        assertThat(logs.lines("WARN", "rec-stall: upload failed")).singleElement().asString()
                .contains("no progress for 1.0s").contains("b3lb.upload.idle-timeout");
    }

    @Test
    void aSlowUploadDoesNotHoldUpTheSmallOnesBehindIt() throws Exception {
        Sink.Action[] holds = new Sink.Action[20];
        java.util.Arrays.fill(holds, Sink.Action.HOLD);
        sink.script("slow-big", holds);
        Recordings.ready(dir, "slow-big", 3_000_000);
        await().atMost(WAIT).until(() -> !sink.received("slow-big").isEmpty() || sink.requests("slow-big") > 0);
        for (int i = 0; i < 5; i++) {
            Recordings.ready(dir, "behind-" + i, 2000);
        }
        for (int i = 0; i < 5; i++) {
            awaitUploaded("behind-" + i);
        }
        // the slow one is still waiting for its answer (the server holds every attempt of it)
        assertThat(sink.accepted("slow-big")).isFalse();
        assertThat(dir.resolve("slow-big.ready")).exists();
        sink.release();
        awaitUploaded("slow-big");
    }

    @Test
    void markerWithoutTarIsReportedAndRemoved() throws Exception {
        Path marker = Recordings.marker(dir, "rec-notar");
        await().atMost(WAIT).until(() -> !Files.exists(marker));
        assertThat(sink.requests("rec-notar")).isZero();
        assertThat(logs.lines("WARN", "rec-notar: no ")).hasSize(1);
    }

    @Test
    void idsTheHookWritesKeepTheirNamesOthersAreSkippedWithOneWarning() throws Exception {
        // the hook's rule (issue 10 D6): letters, digits, '.', '_' and '-'; a space, unicode or a
        // line break in a marker name is refused with one escaped WARN and the files stay untouched
        List<String> ids = List.of("a.b.c", "x-1.2_3", "A9_-.z");
        for (String id : ids) {
            Recordings.ready(dir, id, 3000);
        }
        List<String> refused = List.of("with space", "ünï-录音-çødé", "forged\nINFO uploaded x");
        for (String id : refused) {
            Recordings.ready(dir, id, 3000);
        }
        for (String id : ids) {
            awaitUploaded(id);
            assertThat(sink.received(id).get(0).filename()).isEqualTo(id + ".tar");
            assertThat(sink.received(id).get(0).sha256()).isEqualTo(Recordings.sha256(dir.resolve(id + ".tar")));
        }
        await().atMost(WAIT).until(() -> logs.lines("WARN", "forged\\u000aINFO uploaded x.ready").size() == 1);
        for (String id : refused) {
            assertThat(dir.resolve(id + ".ready")).exists();
            assertThat(sink.requests(id)).isZero();
        }
        assertThat(logs.lines("WARN", "with space.ready")).hasSize(1);
        // our own lines (Camel's file consumer prints raw names at TRACE only)
        assertThat(logs.lines()).filteredOn(l -> l.contains(" org.b3lb.")).noneMatch(l -> l.contains("forged\nINFO"));
        assertThat(node.management("/observe/metrics").body()).containsPattern("(?m)^b3lb_skipped_markers 3");
        for (String id : refused) {
            Files.delete(dir.resolve(id + ".ready"));
        }
    }

    @Test
    void growingTarIsSentOnlyOnceItStopsChanging() throws Exception {
        Path tar = dir.resolve("rec-grow.tar");
        Files.write(tar, new byte[1000]);
        Recordings.marker(dir, "rec-grow");
        for (int i = 0; i < 40; i++) {
            // a writer that has not finished: appends far more often than the route polls (100ms)
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            Files.write(tar, new byte[1000], java.nio.file.StandardOpenOption.APPEND);
        }
        awaitUploaded("rec-grow");
        assertThat(sink.received("rec-grow")).singleElement()
                .satisfies(r -> assertThat(r.size()).isEqualTo(41_000));
    }

    @Test
    void onePermanentlyFailingRecordingDoesNotHoldUpTheOthers() throws Exception {
        Sink.Action[] refusals = new Sink.Action[50];
        java.util.Arrays.fill(refusals, Sink.Action.status(403));
        sink.script("many-07", refusals);
        int connectionsBefore = sink.connections();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String id = String.format("many-%02d", i);
            ids.add(id);
            Recordings.ready(dir, id, 20_000);
        }
        for (String id : ids) {
            if (!id.equals("many-07")) {
                awaitUploaded(id);
            }
        }
        assertThat(dir.resolve("many-07.ready")).exists();
        assertThat(sink.accepted("many-07")).isFalse();
        // pooled keep-alive connections, not one per recording
        assertThat(sink.connections() - connectionsBefore).isLessThanOrEqualTo(4);
    }

    @Test
    @Order(Integer.MAX_VALUE - 1)
    void nothingButMarkersIsEverTouched() throws Exception {
        Recordings.ready(dir, "rec-touch", 100);
        awaitUploaded("rec-touch");
        assertThat(dir.resolve("meeting-1.done")).exists();
        assertThat(dir.resolve("notes.txt")).hasContent("x");
        assertThat(Files.getLastModifiedTime(dir.resolve("not-marked.tar"))).isEqualTo(Recordings.OLD);
        assertThat(sink.requests("not-marked")).isZero();
        assertThat(dir.resolve(".camel")).doesNotExist();
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(".camelLock") || n.startsWith(".") || n.endsWith(".tmp"));
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void metricsCountOutcomesAndTheSecretAppearsNowhere() throws Exception {
        Recordings.ready(dir, "rec-last", 1234);
        awaitUploaded("rec-last");
        String metrics = node.management("/observe/metrics").body();
        assertThat(metrics).containsPattern("(?m)^b3lb_uploads_total\\{outcome=\"success\"\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^b3lb_uploads_total\\{outcome=\"retry\"\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^b3lb_uploads_total\\{outcome=\"failed\"\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^b3lb_uploads_total\\{outcome=\"missing_tar\"\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^b3lb_upload_bytes_total [1-9]");
        assertThat(metrics).containsPattern("(?m)^b3lb_upload_duration_seconds_count [1-9]");
        assertThat(metrics).containsPattern("(?m)^b3lb_pending_recordings \\d");
        assertThat(metrics).contains("routeId=\"upload\"");
        assertThat(metrics).doesNotContain(SECRET);

        // TRACE really was on, the HTTP client's own DEBUG lines included
        assertThat(logs.size()).isGreaterThan(1000);
        assertThat(logs.lines()).anyMatch(l -> l.startsWith("DEBUG org.apache.hc.client5.http.impl.classic."));
        assertThat(logs.lines()).noneMatch(l -> l.contains(SECRET));

        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        int read = 0;
        for (ObjectName name : jmx.queryNames(new ObjectName("org.apache.camel:*"), null)) {
            for (MBeanAttributeInfo a : jmx.getMBeanInfo(name).getAttributes()) {
                if (!a.isReadable()) {
                    continue;
                }
                Object v;
                try {
                    v = jmx.getAttribute(name, a.getName());
                } catch (Exception | Error e) {
                    continue;
                }
                read++;
                assertThat(String.valueOf(v)).as(name + " " + a.getName()).doesNotContain(SECRET);
            }
        }
        assertThat(read).isGreaterThan(100);
    }
}
