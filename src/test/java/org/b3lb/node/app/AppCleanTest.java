package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.Test;

/** The {@code clean} subcommand as an admin types it: arguments, stdout and exit code. */
class AppCleanTest extends StdStreamsTest {

    @Test
    void cleanDryRunExitsZeroWithTheSummary() throws Exception {
        Path old = Files.write(dir.resolve("old.tar"), new byte[10]);
        Evidence.write(new RecordingFiles(dir, "old"), FileIdentity.of(old), Instant.now().minus(Duration.ofDays(8)));

        int code = App.run("clean", "--dry-run", "--b3lb.recording-dir=" + dir);

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("cleanup: would delete 1 recording (would free 10 B), would keep 0 pending, in ");
        assertThat(old).exists();
    }

    @Test
    void cleanKeepsAnOldTarThatIsNeitherUploadedNorMarkedAndSaysHowToMarkIt() throws Exception {
        // L3: the hook left <id>.tar but could not write <id>.ready; on main `clean` said "would delete" and deleted it
        Path old = Files.write(dir.resolve("unmarked-1.tar"), new byte[10]);
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(8))));

        assertThat(App.run("clean", "--b3lb.recording-dir=" + dir, "--b3lb.protocol=b3lb")).isZero();

        assertThat(old).exists();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("cleanup: deleted 0 recordings (0 B freed), kept 0 pending,"
                + " kept 1 not uploaded and not marked (clean --dry-run --verbose shows how to mark it), in ");
        out.reset();
        assertThat(App.run("clean", "--dry-run", "--verbose", "--b3lb.recording-dir=" + dir, "--b3lb.protocol=b3lb")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("keep unmarked-1.tar: not uploaded, not marked (no"
                + " unmarked-1.ready, no unmarked-1.uploaded); to upload it: sudo -u bigbluebutton ruby"
                + " /usr/local/bigbluebutton/core/scripts/post_publish/b3lb-node-push-hook.rb -m unmarked-1 -f presentation\n");
    }

    @Test
    void adoptUploadedRecordsEvidenceOnceForTheTarsOf10() throws Exception {
        Path uploaded = Files.write(dir.resolve("by-1.0.tar"), new byte[10]);
        Instant at = Instant.parse("2026-11-20T10:15:30.123456789Z");
        Files.setLastModifiedTime(uploaded, FileTime.from(at));

        assertThat(App.run("adopt-uploaded", "--b3lb.recording-dir=" + dir)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("b3lb-node: recorded upload evidence for 1 recording(s)"
                + " uploaded by 1.0 (their tar's mtime is the upload time)\n");
        assertThat(Evidence.uploadedAt(new RecordingFiles(dir, "by-1.0"), FileIdentity.of(uploaded))).contains(at);

        out.reset();
        assertThat(App.run("adopt-uploaded", "--b3lb.recording-dir=" + dir)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("b3lb-node: recorded upload evidence for 0 recording(s)");
        assertThat(App.run("adopt-uploaded", "--force", "--b3lb.recording-dir=" + dir)).isEqualTo(2);
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
