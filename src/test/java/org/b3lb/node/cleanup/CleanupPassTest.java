package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * One pass over a real directory: exactly the tars with upload evidence past the retention and no
 * marker go, and nothing else; a tar without marker and without evidence naming it stays.
 */
class CleanupPassTest {

    /** The tars of {@link #fixture} that a pass deletes: old regular {@code <id>.tar} with evidence, without marker. */
    static final Set<String> EXPIRED = Set.of("old-1.tar", "old-2.tar", "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1554230749920.tar");

    @TempDir
    Path tmp;
    Path dir;
    Path outside;
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectory(tmp.resolve("archived"));
        outside = Files.createDirectory(tmp.resolve("elsewhere"));
        log.start();
        ((Logger) LoggerFactory.getLogger(CleanupPass.class)).addAppender(log);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(CleanupPass.class)).detachAppender(log);
    }

    /** Every kind of entry the issue names, old enough to go if the rule let it. */
    void fixture() throws IOException {
        for (String name : EXPIRED) {
            Fixture.uploaded(dir, name, Fixture.OLD, 3 * 1024 * 1024);
        }
        Fixture.uploaded(dir, "new.tar", Fixture.NEW);
        // L3: the hook could not write the marker; 1.0 deleted this as "uploaded"
        Fixture.file(dir, "never-marked.tar", Fixture.OLD);
        // uploaded once, then rebuilt (a new tar renamed into place) and its marker lost: the evidence is for the old one
        Fixture.uploaded(dir, "rebuilt.tar", Fixture.OLD);
        Path newer = Fixture.file(outside, "rebuilt.tar", Fixture.OLD);
        Files.move(newer, dir.resolve("rebuilt.tar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // uploaded, then marked again (the evidence is written before the marker goes; a crash in between)
        Fixture.uploaded(dir, "uploaded-and-marked.tar", Fixture.OLD);
        Fixture.file(dir, "uploaded-and-marked.ready", Fixture.OLD);
        Fixture.file(dir, "old-pending.tar", Fixture.OLD);
        Fixture.file(dir, "old-pending.ready", Fixture.OLD);
        Fixture.file(dir, "new-pending.tar", Fixture.NEW);
        Fixture.file(dir, "new-pending.ready", Fixture.NEW);
        Fixture.file(dir, "orphan.ready", Fixture.OLD);
        // a marker that is itself a dangling symlink still says "not uploaded"
        Files.createSymbolicLink(dir.resolve("linked-marker.ready"), outside.resolve("nothing"));
        Fixture.file(dir, "linked-marker.tar", Fixture.OLD);
        Path target = Fixture.file(outside, "target.tar", Fixture.OLD);
        Files.createSymbolicLink(dir.resolve("x.tar"), target);
        Fixture.age(dir.resolve("x.tar"), Fixture.OLD);
        Path y = Files.createDirectory(dir.resolve("y.tar"));
        Fixture.file(y, "inner.tar", Fixture.OLD);
        Fixture.age(y, Fixture.OLD);
        Fixture.file(dir, "z.tar.tmp", Fixture.OLD);
        Fixture.file(dir, "notes.txt", Fixture.OLD);
        Fixture.file(dir, ".hidden.tar", Fixture.OLD);
        Fixture.file(dir, "a b.tar", Fixture.OLD);
    }

    CleanupPass pass(boolean dryRun, RecordingRemover.Deleter deleter) {
        return Fixture.pass(dir, dryRun, meters, deleter, CleanupPass.Report.log(), Clock.systemUTC());
    }

    @Test
    void deletesExactlyTheExpiredUploadedTars() throws IOException {
        fixture();
        Set<String> before = Fixture.names(dir);

        CleanupResult r = pass(false, Files::delete).run();

        Set<String> expected = new TreeSet<>(before);
        expected.removeAll(EXPIRED);
        EXPIRED.forEach(n -> expected.remove(n.replace(".tar", ".uploaded")));
        assertThat(Fixture.names(dir)).isEqualTo(expected);
        assertThat(Fixture.names(dir.resolve("y.tar"))).containsExactly("inner.tar");
        assertThat(outside.resolve("target.tar")).exists();
        assertThat(Files.isSymbolicLink(dir.resolve("x.tar"))).isTrue();
        assertThat(r.deleted()).isEqualTo(3);
        assertThat(r.freedBytes()).isEqualTo(3L * 3 * 1024 * 1024);
        // old-pending, linked-marker, uploaded-and-marked; new-pending is merely young
        assertThat(r.pending()).isEqualTo(3);
        assertThat(r.unmarked()).isEqualTo(2);
        assertThat(r.errors()).isZero();
        assertThat(r.summary()).matches("cleanup: deleted 3 recordings \\(9\\.0 MiB freed\\), kept 3 pending, kept 2 not"
                + " uploaded and not marked \\(clean --dry-run --verbose shows how to mark them\\), in \\d+ ms");
        assertThat(messages()).filteredOn(m -> m.startsWith("deleted ")).hasSize(3);
    }

    @Test
    void dryRunDeletesNothingAndReportsTheSameSet() throws IOException {
        fixture();
        Set<String> before = Fixture.names(dir);

        CleanupResult r = pass(true, f -> {
            throw new AssertionError("a dry run deleted " + f);
        }).run();

        assertThat(Fixture.names(dir)).isEqualTo(before);
        assertThat(r.deleted()).isEqualTo(3);
        assertThat(r.freedBytes()).isEqualTo(3L * 3 * 1024 * 1024);
        assertThat(r.summary()).startsWith("cleanup: would delete 3 recordings (would free 9.0 MiB), would keep 3 pending,"
                + " would keep 2 not uploaded and not marked (clean --dry-run --verbose shows how to mark them), in ");
        List<String> would = new ArrayList<>();
        for (String m : messages()) {
            if (m.startsWith("would delete ")) {
                would.add(m.substring("would delete ".length(), m.indexOf(" (")));
            }
        }
        assertThat(would).containsExactlyInAnyOrderElementsOf(EXPIRED);
        assertThat(meters.scrape()).contains("b3lb_cleanup_deleted_total 0.0");
    }

    @Test
    void aDryRunCountsWhatItKeepsByReasonUnlessVerbose() throws IOException {
        fixture();
        Fixture.evidence(dir.resolve("new.tar"), Duration.ofDays(3).plusHours(1));
        List<String> lines = new ArrayList<>();

        CleanupResult r = Fixture.pass(dir, true, meters, Files::delete, lines::add, Clock.systemUTC()).run();

        assertThat(lines).filteredOn(l -> l.startsWith("keep ")).containsExactly(
                "keep 1 tar: " + KeepReason.TOO_YOUNG.summary(),
                "keep 3 tars: " + KeepReason.PENDING.summary(),
                "keep 1 tar: " + KeepReason.MARKED.summary(),
                "keep 2 tars: " + KeepReason.UNMARKED.summary(),
                "keep 1 tar: " + KeepReason.SYMLINK.summary(),
                "keep 1 tar: " + KeepReason.NOT_REGULAR.summary(),
                "keep 2 tars: " + KeepReason.BAD_NAME.summary());
        assertThat(lines).filteredOn(l -> l.startsWith("would delete ")).hasSize(3);
        // the count of the pending reason is the summary's: an admin sees one number for one word
        assertThat(r.summary()).contains("would keep 3 pending,");
    }

    @Test
    void aDryRunNamesEachTarItKeepsAndWhy() throws IOException {
        fixture();
        // the evidence's time is the upload's, whatever the tar's mtime says
        Fixture.evidence(dir.resolve("new.tar"), Duration.ofDays(3).plusHours(1));
        List<String> lines = new ArrayList<>();

        Fixture.pass(dir, true, meters, Files::delete, Fixture.verbose(lines), Clock.systemUTC()).run();

        assertThat(lines).filteredOn(l -> l.startsWith("keep ") && !l.matches("keep \\d+ tars?: .*"))
                .containsExactlyInAnyOrder(
                "keep new.tar: too young: uploaded 3 days ago, kept for 7 days",
                "keep old-pending.tar: pending: marked for upload (old-pending.ready), past the retention and not uploaded yet",
                "keep new-pending.tar: marked for upload (new-pending.ready), not uploaded yet, younger than the retention",
                "keep linked-marker.tar: pending: marked for upload (linked-marker.ready), past the retention and not uploaded"
                        + " yet",
                "keep uploaded-and-marked.tar: pending: marked for upload (uploaded-and-marked.ready), past the retention and"
                        + " not uploaded yet",
                "keep never-marked.tar: not uploaded, not marked (no never-marked.ready, no never-marked.uploaded);"
                        + " to upload it: sudo -u bigbluebutton ruby /usr/local/bigbluebutton/core/scripts/post_archive/"
                        + "b3lb-node-push-hook.rb -m never-marked",
                "keep rebuilt.tar: not uploaded, not marked (no rebuilt.ready, rebuilt.uploaded names another version"
                        + " of the tar (rebuilt or replaced since)); to upload it: sudo -u bigbluebutton ruby"
                        + " /usr/local/bigbluebutton/core/scripts/post_archive/b3lb-node-push-hook.rb -m rebuilt",
                "keep x.tar: symlink (the cleanup never follows or deletes links)",
                "keep y.tar: not a regular file (a directory)",
                "keep .hidden.tar: " + KeepReason.BAD_NAME.summary(),
                "keep a b.tar: " + KeepReason.BAD_NAME.summary());
        assertThat(lines).filteredOn(l -> l.startsWith("would delete ")).hasSize(3);
        // markers, evidence, other names are not recordings: not a word about them
        assertThat(lines).hasSize(11 + 3 + 7); // and the counts by reason, as without --verbose
    }

    @Test
    void aRealPassDoesNotListWhatItKeeps() throws IOException {
        fixture();
        List<String> lines = new ArrayList<>();
        Fixture.pass(dir, false, meters, Files::delete, lines::add, Clock.systemUTC()).run();
        assertThat(lines).hasSize(3).allMatch(l -> l.startsWith("deleted "));
    }

    @Test
    void theSummaryCountsOneRecordingInTheSingular() {
        java.time.Instant t = java.time.Instant.EPOCH;
        assertThat(new CleanupResult(false, 1, 1 << 20, 1, 0, 0, 0, false, t, 5).summary())
                .isEqualTo("cleanup: deleted 1 recording (1.0 MiB freed), kept 1 pending, in 5 ms");
        assertThat(new CleanupResult(true, 1, 1 << 20, 0, 0, 0, 0, false, t, 5).summary())
                .isEqualTo("cleanup: would delete 1 recording (would free 1.0 MiB), would keep 0 pending, in 5 ms");
        assertThat(new CleanupResult(false, 0, 0, 0, 1, 1, 0, false, t, 5).summary())
                .isEqualTo("cleanup: deleted 0 recordings (0 B freed), kept 0 pending, kept 1 not uploaded and not"
                        + " marked (clean --dry-run --verbose shows how to mark it), deleted 1 leftover temp file, in 5 ms");
        assertThat(new CleanupResult(true, 0, 0, 2, 0, 0, 1, true, t, 5).summary())
                .isEqualTo("cleanup: would delete 0 recordings (would free 0 B), would keep 2 pending, in 5 ms,"
                        + " 1 error (see the lines above)");
    }

    @Test
    void aFileThatCannotBeDeletedIsCountedAndThePassGoesOn() throws IOException {
        fixture();
        // Tests run as root in CI, and root deletes any file in a writable directory whatever its
        // mode, so the failure is injected through the deleter seam; the test below does the same
        // with a real immutable file where the filesystem and capabilities allow it.
        String stuck = "old-1.tar";
        CleanupResult r = pass(false, f -> {
            // the tar is renamed aside (.<name>.<tag>.tmp) before it is deleted
            if (f.getFileName().toString().startsWith("." + stuck + ".")) {
                throw new AccessDeniedException(f.toString());
            }
            Files.delete(f);
        }).run();

        assertThat(dir.resolve(stuck)).exists();
        for (String other : EXPIRED) {
            if (!other.equals(stuck)) {
                assertThat(dir.resolve(other)).doesNotExist();
            }
        }
        assertThat(r.errors()).isEqualTo(1);
        assertThat(r.deleted()).isEqualTo(2);
        assertThat(r.summary()).endsWith(", 1 error (see the lines above)");
        assertThat(messages()).anyMatch(m -> m.startsWith("cleanup: cannot delete " + dir.resolve(stuck)));
        assertThat(meters.scrape()).contains("b3lb_cleanup_errors_total 1.0").contains("b3lb_cleanup_deleted_total 2.0");
    }

    @Test
    void aMarkerThatAppearsDuringThePassKeepsItsTar() throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add("race-" + i);
            Fixture.uploaded(dir, "race-" + i + ".tar", Fixture.OLD);
        }
        // the first deletion stands in for the upload route starting on every other recording
        // mid-pass: whichever tar the directory yields first, all the rest then have a marker
        CleanupResult r = pass(false, f -> {
            Files.delete(f);
            for (String id : ids) {
                if (Files.exists(dir.resolve(id + ".tar"))) {
                    Files.createFile(dir.resolve(id + ".ready"));
                }
            }
            ids.clear();
        }).run();

        assertThat(r.deleted()).isEqualTo(1);
        assertThat(r.pending()).isEqualTo(19);
        assertThat(Fixture.names(dir)).filteredOn(n -> n.endsWith(".tar")).hasSize(19);
        assertThat(Fixture.names(dir)).filteredOn(n -> n.endsWith(".ready")).hasSize(19);
    }

    @Test
    void anImmutableFileIsCountedAsAnErrorEvenForRoot() throws Exception {
        Path stuck = Fixture.uploaded(dir, "stuck.tar", Fixture.OLD);
        Fixture.uploaded(dir, "free.tar", Fixture.OLD);
        assumeTrue(run("chattr", "+i", stuck.toString()) == 0,
                "chattr +i is unavailable here (no e2fsprogs, no CAP_LINUX_IMMUTABLE or an unsupporting filesystem)");
        try {
            CleanupResult r = pass(false, Files::delete).run();

            assertThat(stuck).exists();
            assertThat(dir.resolve("free.tar")).doesNotExist();
            assertThat(r.errors()).isEqualTo(1);
            assertThat(r.deleted()).isEqualTo(1);
        } finally {
            run("chattr", "-i", stuck.toString());
        }
    }

    @Test
    void aMissingDirectoryIsAnErrorAndTheNextPassWorks() throws IOException {
        Files.delete(dir);
        CleanupPass pass = pass(false, Files::delete);

        CleanupResult r = pass.run();

        assertThat(r.errors()).isEqualTo(1);
        assertThat(r.listFailed()).isTrue();
        assertThat(r.deleted()).isZero();
        assertThat(messages()).anyMatch(m -> m.startsWith("cleanup: cannot read recording directory " + dir));

        Files.createDirectory(dir);
        Fixture.uploaded(dir, "old-1.tar", Fixture.OLD);
        CleanupResult next = pass.run();
        assertThat(next.errors()).isZero();
        assertThat(next.listFailed()).isFalse();
        assertThat(next.deleted()).isEqualTo(1);
        assertThat(pass.lastResult()).isSameAs(next);
        assertThat(meters.scrape()).contains("b3lb_cleanup_errors_total 1.0").contains("b3lb_cleanup_deleted_total 1.0");
    }

    @Test
    void aFileInsteadOfTheDirectoryIsAnError() throws IOException {
        Files.delete(dir);
        Files.writeString(dir, "not a directory");
        CleanupResult r = pass(false, Files::delete).run();
        assertThat(r.errors()).isEqualTo(1);
        assertThat(dir).exists();
    }

    @Test
    void beforeTheFirstPassTheLastPassTimestampIsTheServiceStart() throws IOException {
        java.time.Instant start = java.time.Instant.parse("2026-11-28T10:00:00Z");
        new CleanupMetrics(meters, start);
        assertThat(meters.scrape()).contains("b3lb_cleanup_last_pass_timestamp_seconds " + (double) start.getEpochSecond())
                .contains("b3lb_cleanup_passes_total 0.0");
    }

    @Test
    void metricsAreExposedUnderTheirPrometheusNames() throws IOException {
        Fixture.uploaded(dir, "old-1.tar", Fixture.OLD, 2048);
        pass(false, Files::delete).run();
        String scrape = meters.scrape();
        assertThat(scrape).contains("b3lb_cleanup_deleted_total 1.0");
        assertThat(scrape).contains("b3lb_cleanup_freed_bytes_total 2048.0");
        assertThat(scrape).contains("b3lb_cleanup_errors_total 0.0");
        assertThat(scrape).containsPattern("(?m)^b3lb_cleanup_last_pass_timestamp_seconds [1-9]");
        assertThat(scrape).containsPattern("(?m)^b3lb_cleanup_last_pass_duration_seconds \\d");
        assertThat(scrape).containsPattern("(?m)^b3lb_cleanup_pending 0");
        assertThat(scrape).contains("b3lb_cleanup_passes_total 1.0");
    }

    private List<String> messages() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static int run(String... command) throws IOException, InterruptedException {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (IOException e) {
            return -1; // not installed
        }
    }
}
