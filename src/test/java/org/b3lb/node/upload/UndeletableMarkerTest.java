package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2xx whose marker cannot be deleted (a read-only recording directory: ReadWritePaths= not
 * matching b3lb.recording-dir, wrong ownership) must not turn into a loop re-sending the same
 * recording every poll: the marker stays, and the next send waits b3lb.upload.max-delay.
 */
class UndeletableMarkerTest {

    @TempDir
    Path dir;

    @Test
    void aMarkerThatCannotBeDeletedWaitsMaxDelayBeforeTheNextSend() throws Exception {
        Recordings.ready(dir, "stuck", 2000);
        Path marker = dir.resolve("stuck.ready");
        // immutable: not even root may unlink it, which is what CI runs as
        assumeTrue(chattr("+i", marker) == 0,
                "chattr +i is unavailable here (no e2fsprogs, no CAP_LINUX_IMMUTABLE or an unsupporting filesystem)");
        LogCapture logs = LogCapture.everything();
        try (Sink sink = new Sink();
                RunningNode node = RunningNode.builder(dir)
                        .with("b3lb.upload.endpoint", sink.endpoint())
                        .with("b3lb.upload.initial-delay", "50ms")
                        .with("b3lb.upload.max-delay", "8s")
                        .start()) {
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.requests("stuck") >= 1);
                // polls run every 100 ms: a loop would have sent it again many times by now
                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                        .until(() -> sink.requests("stuck") == 1);
                assertThat(marker).exists();
                assertThat(logs.lines("ERROR", "stuck: uploaded, but cannot delete")).singleElement().asString()
                        .contains("it is sent again in").contains("ReadWritePaths=");
            } finally {
                chattr("-i", marker);
            }
            // once the directory is writable again, the next send clears the marker
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.notExists(marker));
            assertThat(sink.requests("stuck")).isEqualTo(2);
        } finally {
            chattr("-i", marker);
        }
    }

    private static int chattr(String flag, Path file) throws Exception {
        Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
