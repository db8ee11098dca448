package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The {@code clean} subcommand as an admin types it: arguments, stdout and exit code. */
class AppCleanTest extends StdStreamsTest {

    @Test
    void cleanDryRunExitsZeroWithTheSummary() throws Exception {
        Path old = Files.write(dir.resolve("old.tar"), new byte[10]);
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(8))));

        int code = App.run("clean", "--dry-run", "--b3lb.recording-dir=" + dir);

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("cleanup: would delete 1 recording (would free 0.0 MiB), would keep 0 pending, in ");
        assertThat(old).exists();
    }

    @Test
    void cleanOnAMissingDirectoryExitsOne() {
        int code = App.run("clean", "--dry-run", "--b3lb.recording-dir=" + dir.resolve("missing"));
        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(", 1 error (see the lines above)");
    }

    @Test
    void anUnknownOptionIsABadCommandLine() {
        assertThat(App.run("clean", "--dryrun", "--b3lb.recording-dir=" + dir)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--dryrun' for 'clean'");
    }

    @Test
    void aBadCleanerKeyIsABadConfiguration() {
        assertThat(App.run("clean", "--b3lb.recording-dir=" + dir, "--b3lb.cleaner.retention-days=0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("invalid b3lb.cleaner.retention-days='0'");
    }
}
