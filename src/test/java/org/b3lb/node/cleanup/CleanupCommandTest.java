package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code b3lb-node clean [--dry-run]}: one pass, the summary on stdout, the exit code. */
class CleanupCommandTest {

    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    int clean(boolean dryRunFlag, Map<String, String> keys) {
        return clean(dryRunFlag, false, keys);
    }

    int clean(boolean dryRunFlag, boolean verbose, Map<String, String> keys) {
        return CleanupCommand.run(Settings.load(null, Map.of(), keys), dryRunFlag, verbose,
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dryRunPrintsWhatItWouldDeleteExitsZeroAndDeletesNothing() throws Exception {
        Fixture.uploaded(dir, "old.tar", Fixture.OLD, 1024 * 1024);
        Fixture.uploaded(dir, "new.tar", Fixture.NEW);

        int code = clean(true, Map.of("b3lb.recording-dir", dir.toString()));

        assertThat(code).isZero();
        // the directory's order decides which of the two comes first
        assertThat(printed().lines().limit(2)).containsExactly("would delete old.tar (1.0 MiB)",
                "keep 1 tar: too young: uploaded less than the retention ago");
        assertThat(printed().lines()).hasSize(4);
        assertThat(printed()).containsPattern("(?m)^cleanup: would delete 1 recording \\(would free 1\\.0 MiB\\),"
                + " would keep 0 pending, in \\d+ ms$");
        assertThat(printed()).containsPattern("(?m)^disk guard: off \\(b3lb.cleaner.min-free is empty\\); [0-9.]+ [MG]iB free on "
                + java.util.regex.Pattern.quote(dir.toString()) + "$");
        assertThat(Fixture.names(dir)).containsExactly("new.tar", "new.uploaded", "old.tar", "old.uploaded");

        out.reset();
        assertThat(clean(true, true, Map.of("b3lb.recording-dir", dir.toString()))).isZero();
        assertThat(printed().lines().limit(3)).containsExactlyInAnyOrder("would delete old.tar (1.0 MiB)",
                "keep new.tar: too young: uploaded 0 days ago, kept for 7 days",
                "keep 1 tar: too young: uploaded less than the retention ago");
    }

    @Test
    void theDryRunKeyAlsoMakesADryRun() throws Exception {
        Fixture.uploaded(dir, "old.tar", Fixture.OLD);
        assertThat(clean(false, Map.of("b3lb.recording-dir", dir.toString(), "b3lb.cleaner.dry-run", "true"))).isZero();
        assertThat(printed()).startsWith("would delete old.tar").contains("\ncleanup: would delete 1 recording (would free ");
        assertThat(dir.resolve("old.tar")).exists();
    }

    @Test
    void aRealRunDeletesEvenWhenTheScheduleIsDisabled() throws Exception {
        Fixture.uploaded(dir, "old.tar", Fixture.OLD);
        int code = clean(false, Map.of("b3lb.recording-dir", dir.toString(), "b3lb.cleaner.enabled", "false"));
        assertThat(code).isZero();
        assertThat(printed()).startsWith("deleted old.tar (1000 B, uploaded ").contains("\ncleanup: deleted 1 recording (");
        assertThat(dir.resolve("old.tar")).doesNotExist();
    }

    @Test
    void dryRunAlsoReportsWhatTheDiskGuardWouldDeleteNow(@TempDir Path tmp) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("fs"), "4m")) {
            int size = 400 * 1024; // each tar with its evidence (a 4 KiB tmpfs page)
            for (int age = 1; age <= 8; age++) { // 3.2 MiB of uploads on 4 MiB, none past a 30-day retention
                Fixture.uploaded(fs.dir, "up-" + age + ".tar", java.time.Duration.ofDays(age), size);
            }
            Fixture.file(fs.dir, "pending.tar", java.time.Duration.ofDays(40), size);
            Fixture.file(fs.dir, "pending.ready", Fixture.OLD, 0);

            int code = clean(true, Map.of("b3lb.recording-dir", fs.dir.toString(), "b3lb.cleaner.retention-days", "30",
                    "b3lb.cleaner.min-free", "1M"));

            assertThat(code).isZero();
            assertThat(printed()).contains("\ncleanup: would delete 0 recordings (would free 0 B), would keep 1 pending, in ");
            assertThat(printed()).contains("\ndisk guard: would delete up-8.tar (400.0 KiB, uploaded 8 days ago)\n"
                    + "disk guard: would delete up-7.tar (400.0 KiB, uploaded 7 days ago)\n"
                    + "disk guard: target b3lb.cleaner.min-free=1M (1.0 MiB) on " + fs.dir
                    + ": would delete 2 recordings (would free 800.0 KiB); 1.2 MiB free then\n");
            assertThat(Fixture.names(fs.dir)).hasSize(18);

            out.reset();
            assertThat(clean(false, Map.of("b3lb.recording-dir", fs.dir.toString(), "b3lb.cleaner.retention-days", "30",
                    "b3lb.cleaner.min-free", "1M"))).isZero();
            assertThat(printed()).contains("disk guard: deleted up-8.tar (400.0 KiB, uploaded 8 days ago)\n")
                    .contains(": deleted 2 recordings (800.0 KiB freed); 1.2 MiB free now\n");
            assertThat(Fixture.names(fs.dir)).hasSize(14).doesNotContain("up-8.tar", "up-7.tar", "up-8.uploaded");
        }
    }

    @Test
    void anErrorExitsOne() throws Exception {
        Path missing = dir.resolve("missing");
        int code = clean(true, Map.of("b3lb.recording-dir", missing.toString()));
        assertThat(code).isEqualTo(1);
        assertThat(printed()).startsWith("cleanup: would delete 0 recordings").contains(", 1 error (see the lines above)");
        assertThat(printed()).contains("\ndisk guard: off (b3lb.cleaner.min-free is empty)\n");
        assertThat(Files.exists(missing)).isFalse();
    }
}
