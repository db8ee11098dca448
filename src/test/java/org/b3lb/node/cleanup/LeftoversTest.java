package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * W7: a hook killed mid-tar leaves {@code .<id>.tar.<tag>.tmp}; the pass deletes such leftovers
 * once untouched for 24 h, keeps younger ones (a writer may be at work), and removes the hook's
 * lock only with its recording.
 */
class LeftoversTest {

    @TempDir
    Path tmp;
    List<String> report = new ArrayList<>();

    CleanupResult pass(Path dir, boolean dryRun) {
        return Fixture.pass(dir, dryRun, new SimpleMeterRegistry(), Files::delete, Fixture.verbose(report), Clock.systemUTC()).run();
    }

    Path dir() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("archived"));
        Fixture.file(dir, ".killed.tar.4242.tmp", Duration.ofHours(25), 2 * 1024 * 1024);
        Fixture.file(dir, ".killed.meta.xml.4242.tmp", Duration.ofHours(25), 100);
        Fixture.file(dir, ".crashed.uploaded.k3j.tmp", Duration.ofDays(3), 60);
        Fixture.file(dir, ".writing.tar.4343.tmp", Duration.ofHours(2), 1000);
        // a lock of a recording still there, and one whose recording is gone: neither is a leftover of a writer
        Fixture.file(dir, ".kept.lock", Fixture.OLD, 0);
        Fixture.file(dir, "kept.tar", Fixture.OLD);
        Fixture.file(dir, "kept.ready", Fixture.OLD, 0);
        Fixture.file(dir, ".orphan.lock", Fixture.OLD, 0);
        // names the layout does not give a writer, and a link with a writer's name
        Fixture.file(dir, "z.tar.tmp", Fixture.OLD);
        Fixture.file(dir, ".a b.tar.1.tmp", Fixture.OLD);
        Files.createSymbolicLink(dir.resolve(".linked.tar.1.tmp"), Fixture.file(tmp, "target", Fixture.OLD));
        Fixture.age(dir.resolve(".linked.tar.1.tmp"), Fixture.OLD);
        return dir;
    }

    @Test
    void leftoversUntouchedForADayGoYoungerOnesStay() throws IOException {
        Path dir = dir();

        CleanupResult r = pass(dir, false);

        assertThat(Fixture.names(dir)).containsExactlyInAnyOrder(".writing.tar.4343.tmp", ".kept.lock", "kept.tar",
                "kept.ready", ".orphan.lock", "z.tar.tmp", ".a b.tar.1.tmp", ".linked.tar.1.tmp");
        assertThat(tmp.resolve("target")).exists();
        assertThat(r.leftovers()).isEqualTo(3);
        assertThat(r.freedBytes()).isEqualTo(2 * 1024 * 1024 + 100 + 60);
        assertThat(r.errors()).isZero();
        assertThat(report).hasSize(3).allMatch(l -> l.startsWith("deleted leftover ."));
        assertThat(report).anyMatch(l -> l.startsWith("deleted leftover .killed.tar.4242.tmp (2.0 MiB, last modified "));
        assertThat(r.summary()).contains(", deleted 3 leftover temp files, in ");
    }

    @Test
    void aDryRunSaysWhatItWouldDeleteAndWhatItKeeps() throws IOException {
        Path dir = dir();
        List<String> before = List.copyOf(Fixture.names(dir));

        CleanupResult r = pass(dir, true);

        assertThat(Fixture.names(dir)).containsExactlyElementsOf(before);
        assertThat(r.leftovers()).isEqualTo(3);
        assertThat(report).filteredOn(l -> l.startsWith("would delete leftover ")).hasSize(3)
                .anyMatch(l -> l.startsWith("would delete leftover .crashed.uploaded.k3j.tmp (60 B, last modified "));
        assertThat(report).contains("keep .writing.tar.4343.tmp: a writer may still be at work (changed 2 h ago;"
                + " leftovers go after 24 h)");
        assertThat(report).noneMatch(l -> l.contains(".lock") || l.contains("z.tar.tmp") || l.contains("linked"));
        assertThat(r.summary()).contains(", would delete 3 leftover temp files, in ");
    }

    @Test
    void aLockIsNeverRemovedByTheCleanupOnlyByTheHookRunHoldingIt() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("archived"));
        Fixture.uploaded(dir, "done.tar", Fixture.OLD);
        Fixture.file(dir, ".done.lock", Fixture.OLD, 0);
        Fixture.uploaded(dir, "young.tar", Fixture.NEW);
        Fixture.file(dir, ".young.lock", Fixture.OLD, 0);

        pass(dir, false);

        assertThat(Fixture.names(dir)).containsExactlyInAnyOrder("young.tar", "young.uploaded", ".young.lock", ".done.lock");
    }
}
