package org.b3lb.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What status says when the recording directory cannot be listed: the same words as the upload route's. */
class PendingRecordingsTest {

    @TempDir
    Path dir;

    @Test
    void aMissingDirectoryIsNamedWithTheSettingToFix() {
        Path missing = dir.resolve("archived");
        PendingRecordings.Scan scan = new PendingRecordings(missing, Clock.systemUTC()).scan();
        assertThat(scan.error()).isEqualTo("recording directory " + missing + " does not exist: create it or fix b3lb.recording-dir");
        assertThat(scan.count()).isZero();
    }

    @Test
    void aFileInsteadOfADirectoryIsNamedToo() throws Exception {
        Path file = Files.writeString(dir.resolve("archived"), "not a directory");
        assertThat(new PendingRecordings(file, Clock.systemUTC()).scan().error())
                .isEqualTo("recording directory " + file + " is not a directory: point b3lb.recording-dir at the directory the hook writes to");
    }
}
