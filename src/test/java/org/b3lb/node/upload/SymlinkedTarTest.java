package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 D3: a {@code <id>.tar} that is a symbolic link to a file elsewhere (/etc/shadow) was
 * sent, its marker deleted, and the post-upload touch changed the file outside the directory.
 */
class SymlinkedTarTest {

    @TempDir
    Path tmp;

    @Test
    void aSymlinkedTarIsNeverSentNorTouchedAndItsMarkerStays() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("archived"));
        Path secret = Files.writeString(tmp.resolve("shadow"), "root:$6$not-for-b3lb:19000:0:99999:7:::\n");
        FileTime before = FileTime.from(java.time.Instant.parse("2021-01-01T00:00:00Z"));
        Files.setLastModifiedTime(secret, before);
        Files.createSymbolicLink(dir.resolve("shadow.tar"), secret);
        Recordings.marker(dir, "shadow");
        LogCapture logs = LogCapture.everything();
        try (Sink sink = new Sink();
                RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint()).start()) {
            Recordings.ready(dir, "after", 1000);
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.accepted("after") && !Files.exists(dir.resolve("after.ready")));
            await().atMost(Duration.ofSeconds(30)).until(() -> !logs.lines("ERROR", "shadow: upload refused").isEmpty());
            assertThat(logs.lines("ERROR", "shadow: upload refused")).singleElement().asString()
                    .contains("is a symbolic link").contains("the marker stays");
            assertThat(sink.requests("shadow")).isZero();
            assertThat(dir.resolve("shadow.ready")).exists();
            assertThat(Files.getLastModifiedTime(secret)).isEqualTo(before);
        }
    }
}
