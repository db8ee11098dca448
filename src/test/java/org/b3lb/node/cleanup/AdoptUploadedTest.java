package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade from 1.0: its uploaded tars (no marker, mtime set to the upload) get their evidence
 * once, so 1.1 deletes them when 1.0 would have; nothing else gets any.
 */
class AdoptUploadedTest {

    @TempDir
    Path tmp;
    Path dir;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectory(tmp.resolve("archived"));
    }

    int adopt(boolean dryRun) {
        out.reset();
        return AdoptUploaded.run(dir, dryRun, Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** What 1.0 left: uploaded tars with their upload time as mtime, one pending, and other things. */
    void tree10() throws IOException {
        Fixture.file(dir, "up-old.tar", Fixture.OLD);
        Fixture.file(dir, "up-new.tar", Duration.ofDays(2));
        Fixture.file(dir, "up-new.meta.xml", Duration.ofDays(2));
        Fixture.file(dir, "pending.tar", Fixture.OLD);
        Fixture.file(dir, "pending.ready", Fixture.OLD, 0);
        Fixture.file(dir, "just-packed.tar", Duration.ofSeconds(30)); // the hook may be writing its marker now
        Fixture.uploaded(dir, "by-1.1.tar", Duration.ofDays(1));
        Files.createDirectory(dir.resolve("dir.tar"));
        Files.createSymbolicLink(dir.resolve("link.tar"), Fixture.file(tmp, "elsewhere.tar", Fixture.OLD));
        Fixture.file(dir, ".hidden.tar", Fixture.OLD);
    }

    @Test
    void eachUploadedTarGetsEvidenceDatedByItsMtimeOnce() throws IOException {
        tree10();
        Instant mtime = Files.getLastModifiedTime(dir.resolve("up-old.tar")).toInstant();

        assertThat(adopt(false)).isZero();

        assertThat(printed()).isEqualTo("b3lb-node: recorded upload evidence for 2 recording(s) uploaded by 1.0 (their"
                + " tar's mtime is the upload time)\nb3lb-node: left alone 1 tar(s) without a marker changed in the last"
                + " 10 minutes (the hook may be about to mark them); b3lb-node status counts any that stay unmarked\n");
        RecordingFiles old = new RecordingFiles(dir, "up-old");
        assertThat(Evidence.uploadedAt(old, FileIdentity.of(old.tar()))).contains(mtime);
        assertThat(Fixture.names(dir)).containsExactlyInAnyOrder("up-old.tar", "up-old.uploaded", "up-new.tar",
                "up-new.uploaded", "up-new.meta.xml", "pending.tar", "pending.ready", "just-packed.tar", "by-1.1.tar",
                "by-1.1.uploaded", "dir.tar", "link.tar", ".hidden.tar");
        assertThat(Files.getLastModifiedTime(dir.resolve("up-old.tar")).toInstant()).isEqualTo(mtime);

        // idempotent: a second run finds nothing to adopt and changes nothing
        Instant evidenceTime = Files.getLastModifiedTime(old.evidence()).toInstant();
        assertThat(adopt(false)).isZero();
        assertThat(printed()).startsWith("b3lb-node: recorded upload evidence for 0 recording(s) uploaded by 1.0");
        assertThat(Files.getLastModifiedTime(old.evidence()).toInstant()).isEqualTo(evidenceTime);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aTarBesideAHooksLockIsLeftAlone() throws IOException {
        Fixture.file(dir, "packing.tar", Fixture.OLD); // an old tar the hook is packing again
        Fixture.file(dir, ".packing.lock", Fixture.OLD, 0);

        assertThat(adopt(false)).isZero();

        assertThat(printed()).contains("recorded upload evidence for 0 recording(s)").contains("left alone 1 tar(s)");
        assertThat(dir.resolve("packing.uploaded")).doesNotExist();
    }

    @Test
    void thenTheCleanupDeletesWhat10WouldHaveAndKeepsTheRest() throws IOException {
        tree10();
        adopt(false);

        CleanupResult r = Fixture.pass(dir, false, new SimpleMeterRegistry(), Files::delete, l -> { }, Clock.systemUTC()).run();

        assertThat(r.deleted()).isEqualTo(1);
        assertThat(dir.resolve("up-old.tar")).doesNotExist();
        assertThat(dir.resolve("up-new.tar")).exists();
        assertThat(r.unmarked()).isEqualTo(1); // just-packed: not adopted, kept, counted
    }

    @Test
    void aDryRunNamesEachAndWritesNothing() throws IOException {
        tree10();
        Files.setLastModifiedTime(dir.resolve("up-old.tar"), FileTime.from(Instant.parse("2026-11-20T10:00:00Z")));

        assertThat(adopt(true)).isZero();

        assertThat(printed()).contains("would record upload evidence for up-old.tar (uploaded 2026-11-20T10:00:00Z)\n")
                .contains("b3lb-node: would record upload evidence for 2 recording(s) uploaded by 1.0");
        assertThat(dir.resolve("up-old.uploaded")).doesNotExist();
        assertThat(dir.resolve("up-new.uploaded")).doesNotExist();
    }

    @Test
    void aMissingDirectoryIsOneLineAndExitOne() throws IOException {
        Files.delete(dir);
        assertThat(adopt(false)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("b3lb-node: cannot read the recording directory " + dir)
                .endsWith("; check b3lb.recording-dir and run this as the service user\n");
    }
}
