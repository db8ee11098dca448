package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The disk guard on a real 4 MiB tmpfs: uploaded tars of different ages and some pending ones,
 * with a target just out of reach, so every byte the guard frees shows in statvfs.
 */
class DiskGuardTest {

    static final int SIZE = 400 * 1024;

    @TempDir
    Path tmp;
    Tmpfs fs;
    Path dir;
    Path outside;
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    List<String> report = new ArrayList<>();
    CleanupConfig config;

    @BeforeEach
    void setUp() throws Exception {
        fs = Tmpfs.mount(tmp.resolve("fs"), "4m");
        dir = fs.dir;
        outside = Files.createDirectory(tmp.resolve("elsewhere"));
        log.start();
        ((Logger) LoggerFactory.getLogger(DiskGuard.class)).addAppender(log);
        ((Logger) LoggerFactory.getLogger(BbbRecord.class)).addAppender(log);
    }

    @AfterEach
    void tearDown() throws Exception {
        ((Logger) LoggerFactory.getLogger(DiskGuard.class)).detachAppender(log);
        ((Logger) LoggerFactory.getLogger(BbbRecord.class)).detachAppender(log);
        if (fs != null) {
            fs.close();
        }
    }

    /** Six uploaded tars, 1 to 6 days old (most inside a 7-day retention), and two pending ones. */
    void fill() throws IOException {
        for (int age = 1; age <= 6; age++) {
            Fixture.uploaded(dir, "up-" + age + ".tar", Duration.ofDays(age), SIZE);
        }
        Fixture.file(dir, "pending-old.tar", Duration.ofDays(20), SIZE);
        Fixture.file(dir, "pending-old.ready", Duration.ofDays(20), 0);
        Fixture.file(dir, "pending-new.tar", Duration.ofHours(1), SIZE);
        Fixture.file(dir, "pending-new.ready", Duration.ofHours(1), 0);
    }

    long free() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    DiskGuard guard(long minFreeBytes, boolean dryRun, RecordingRemover remover) {
        config = CleanupConfig.from(Settings.load(null, Map.of(), Map.of("b3lb.recording-dir", dir.toString(),
                "b3lb.cleaner.min-free", Long.toString(minFreeBytes))));
        return new DiskGuard(config, remover, dryRun, meters, report::add);
    }

    DiskGuard guard(long minFreeBytes) {
        return guard(minFreeBytes, false, new RecordingRemover(Files::delete, null));
    }

    @Test
    void freesTheOldestUploadsFirstUntilTheTargetIsMet() throws Exception {
        fill();
        long before = free();
        // two and a half tars short: exactly the three oldest uploads must go
        DiskGuard guard = guard(before + SIZE * 5 / 2);

        DiskGuard.Check c = guard.check();

        assertThat(Fixture.names(dir)).containsExactlyInAnyOrder("up-1.tar", "up-2.tar", "up-3.tar", "up-1.uploaded",
                "up-2.uploaded", "up-3.uploaded", "pending-old.tar", "pending-old.ready", "pending-new.tar", "pending-new.ready");
        assertThat(c.deleted()).isEqualTo(3);
        assertThat(c.freedBytes()).isEqualTo(3L * SIZE);
        assertThat(c.unmet()).isFalse();
        assertThat(free()).isGreaterThanOrEqualTo(c.targetBytes());
        assertThat(report).containsExactly(
                "disk guard: deleted up-6.tar (400.0 KiB, uploaded 6 days ago)",
                "disk guard: deleted up-5.tar (400.0 KiB, uploaded 5 days ago)",
                "disk guard: deleted up-4.tar (400.0 KiB, uploaded 4 days ago)");
        String scrape = meters.scrape();
        assertThat(scrape).contains("b3lb_disk_guard_deleted_total 3.0").contains("b3lb_disk_guard_unmet 0.0")
                .contains("b3lb_disk_guard_freed_bytes_total " + 3.0 * SIZE)
                .containsPattern("(?m)^b3lb_disk_free_bytes " + (double) free() + "$");
    }

    @Test
    void aCheckAboveTheTargetReadsNoDirectoryAndDeletesNothing() throws Exception {
        fill();
        DiskGuard guard = guard(free() - 1);
        // an unreadable directory would be an error if a check above target listed it
        dir.toFile().setReadable(false);
        try {
            DiskGuard.Check c = guard.check();
            assertThat(c.deleted()).isZero();
            assertThat(c.errors()).isZero();
            assertThat(c.unmet()).isFalse();
        } finally {
            dir.toFile().setReadable(true);
        }
        assertThat(Fixture.names(dir)).hasSize(16);
    }

    @Test
    void neverTouchesPendingRecordingsAndReportsUnmetOncePerCheck() throws Exception {
        fill();
        Fixture.file(dir, "other-files.bin", Fixture.OLD, SIZE); // not a recording: never the guard's
        // out of reach even once every recording is gone
        DiskGuard guard = guard(free() + 8L * SIZE + SIZE / 2);
        var exchange = new DefaultExchange(new DefaultCamelContext());

        guard.process(exchange);

        assertThat(Fixture.names(dir)).containsExactlyInAnyOrder("pending-old.tar", "pending-old.ready",
                "pending-new.tar", "pending-new.ready", "other-files.bin");
        DiskGuard.Check c = exchange.getMessage().getBody(DiskGuard.Check.class);
        assertThat(c.deleted()).isEqualTo(6);
        assertThat(c.unmet()).isTrue();
        assertThat(c.pendingCount()).isEqualTo(2);
        assertThat(c.pendingBytes()).isEqualTo(2L * SIZE);
        List<ILoggingEvent> errors = log.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getFormattedMessage())
                .startsWith("disk guard: only ")
                .contains("free on the filesystem of " + dir + ", below b3lb.cleaner.min-free=")
                .contains("nothing more can be deleted: 2 recordings (800.0 KiB) await upload")
                .contains("likely cause: uploads are not getting through")
                .endsWith("next check in 5m");
        assertThat(meters.scrape()).contains("b3lb_disk_guard_unmet 1.0").contains("b3lb_disk_guard_deleted_total 6.0");

        guard.process(exchange); // the next interval: one more ERROR, nothing more deleted
        assertThat(log.list.stream().filter(e -> e.getLevel() == Level.ERROR)).hasSize(2);
        assertThat(exchange.getMessage().getBody(DiskGuard.Check.class).deleted()).isZero();
        assertThat(Fixture.names(dir)).hasSize(5);

        Files.delete(dir.resolve("pending-old.ready"));  // uploaded at last
        Files.delete(dir.resolve("pending-new.ready"));
        Fixture.evidence(dir.resolve("pending-old.tar"), Duration.ofMinutes(11));
        Fixture.evidence(dir.resolve("pending-new.tar"), Duration.ofMinutes(11));
        guard.process(exchange);
        assertThat(Fixture.names(dir)).containsExactly("other-files.bin");
        assertThat(meters.scrape()).contains("b3lb_disk_guard_unmet 1.0"); // still short, but no recording left
        assertThat(log.list.get(log.list.size() - 1).getFormattedMessage())
                .contains("0 recordings (0 B) await upload").contains("likely cause: the filesystem is filled by files other");
    }

    @Test
    void symlinksDirectoriesAndFreshTarsAreNeverDeleted() throws Exception {
        fill();
        Path target = Fixture.file(outside, "target.tar", Fixture.OLD, SIZE);
        Files.createSymbolicLink(dir.resolve("x.tar"), target);
        Fixture.age(dir.resolve("x.tar"), Fixture.OLD);
        Path y = Files.createDirectory(dir.resolve("y.tar"));
        Fixture.file(y, "inner.tar", Fixture.OLD, SIZE);
        Fixture.age(y, Fixture.OLD);
        // no marker and no evidence: whether the hook is about to mark it or failed to, it is not uploaded
        Fixture.file(dir, "just-written.tar", Duration.ofSeconds(5), SIZE);
        DiskGuard guard = guard(free() + 20L * SIZE);

        DiskGuard.Check c = guard.check();

        assertThat(c.deleted()).isEqualTo(6);
        assertThat(c.unmet()).isTrue();
        assertThat(c.unmarkedCount()).isEqualTo(1);
        assertThat(Files.isSymbolicLink(dir.resolve("x.tar"))).isTrue();
        assertThat(target).exists().hasSize(SIZE);
        assertThat(Fixture.names(y)).containsExactly("inner.tar");
        assertThat(dir.resolve("just-written.tar")).exists();
        assertThat(Fixture.names(dir)).containsExactlyInAnyOrder("x.tar", "y.tar", "just-written.tar",
                "pending-old.tar", "pending-old.ready", "pending-new.tar", "pending-new.ready");
    }

    @Test
    void aMarkerAppearingMidPassKeepsItsRecording() throws Exception {
        fill();
        List<String> marked = new ArrayList<>();
        // the first deletion stands in for the hook marking every other recording again mid-pass
        RecordingRemover remover = new RecordingRemover(f -> {
            Files.delete(f);
            if (marked.isEmpty()) {
                for (int age = 1; age <= 6; age++) {
                    if (Files.exists(dir.resolve("up-" + age + ".tar"))) {
                        Files.createFile(dir.resolve("up-" + age + ".ready"));
                        marked.add("up-" + age);
                    }
                }
            }
        }, null);
        DiskGuard guard = guard(free() + 8L * SIZE, false, remover);

        DiskGuard.Check c = guard.check();

        assertThat(marked).hasSize(5);
        assertThat(c.deleted()).isEqualTo(1);
        assertThat(dir.resolve("up-6.tar")).doesNotExist();
        for (String id : marked) {
            assertThat(dir.resolve(id + ".tar")).exists();
        }
        assertThat(c.pendingCount()).isEqualTo(2 + 5);
        assertThat(c.unmet()).isTrue();
        assertThat(report).filteredOn(l -> l.endsWith("it was marked for upload during the pass")).hasSize(5);
    }

    @Test
    void aDryRunReportsWhatItWouldDeleteAndDeletesNothing() throws Exception {
        fill();
        long before = free();
        DiskGuard guard = guard(before + SIZE * 3 / 2, true, new RecordingRemover(Files::delete, "/nonexistent"));

        DiskGuard.Check c = guard.check();

        assertThat(Fixture.names(dir)).hasSize(16);
        assertThat(c.deleted()).isEqualTo(2);
        assertThat(c.unmet()).isFalse();
        assertThat(report).containsExactly(
                "disk guard: would delete up-6.tar (400.0 KiB, uploaded 6 days ago), then run /nonexistent --delete up-6",
                "disk guard: would delete up-5.tar (400.0 KiB, uploaded 5 days ago), then run /nonexistent --delete up-5");
        assertThat(GuardReport.summary(c, config)).startsWith("disk guard: target b3lb.cleaner.min-free=")
                .contains(": would delete 2 recordings (would free 800.0 KiB); ");
        assertThat(meters.scrape()).contains("b3lb_disk_guard_deleted_total 0.0");
    }

    @Test
    void aTarNeitherUploadedNorMarkedIsNeverDeletedWhateverItsAge() throws Exception {
        // L3: on main the guard deleted such a tar 10 minutes after it appeared, "uploaded 11 min ago"
        for (int age = 1; age <= 3; age++) {
            Fixture.uploaded(dir, "up-" + age + ".tar", Duration.ofDays(age), SIZE);
        }
        Fixture.file(dir, "never-marked.tar", Duration.ofDays(30), SIZE);
        // evidence for an older version of a tar that was rebuilt since (a new inode)
        Fixture.uploaded(dir, "rebuilt.tar", Duration.ofDays(40), SIZE);
        Path newer = Fixture.file(dir, "newer", Duration.ofDays(40), SIZE);
        Files.move(newer, dir.resolve("rebuilt.tar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        DiskGuard guard = guard(free() + 20L * SIZE);

        DiskGuard.Check c = guard.check();

        assertThat(c.deleted()).isEqualTo(3);
        assertThat(c.unmet()).isTrue();
        assertThat(c.unmarkedCount()).isEqualTo(2);
        assertThat(dir.resolve("never-marked.tar")).exists();
        assertThat(dir.resolve("rebuilt.tar")).exists();
        assertThat(report).noneMatch(l -> l.contains("never-marked") || l.contains("rebuilt"));
        assertThat(GuardReport.unmet(c, config)).contains("0 recordings (0 B) await upload, 2 not uploaded and"
                + " not marked (b3lb-node clean --dry-run --verbose shows how to mark each); likely cause: recordings neither uploaded"
                + " nor marked");
    }

    @Test
    void theOldestUploadGoesFirstByItsEvidenceNotItsMtime() throws Exception {
        // tar mtimes say the opposite of the upload times
        Fixture.evidence(Fixture.file(dir, "uploaded-first.tar", Duration.ofHours(1), SIZE), Duration.ofDays(5));
        Fixture.evidence(Fixture.file(dir, "uploaded-last.tar", Duration.ofDays(9), SIZE), Duration.ofDays(1));
        DiskGuard guard = guard(free() + SIZE / 2);

        DiskGuard.Check c = guard.check();

        assertThat(c.deleted()).isEqualTo(1);
        assertThat(report).containsExactly("disk guard: deleted uploaded-first.tar (400.0 KiB, uploaded 5 days ago)");
        assertThat(dir.resolve("uploaded-last.tar")).exists();
    }
}
