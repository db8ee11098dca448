package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file an attempt opens is closed when its exchange ends, whatever the end: a 2xx, a 2xx
 * after in-route retries, a send cut mid-body, a refusal. A leak here is one descriptor per
 * attempt, so a node retrying a backlog for days would run out of them; the descriptors of the
 * test's own JVM are read from /proc/self/fd.
 */
class OpenFilesTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    Sink sink;
    RunningNode node;
    LogCapture logs = LogCapture.everything();

    @BeforeEach
    void setUp() throws IOException {
        sink = new Sink();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            node.close();
        }
        sink.close();
    }

    @Test
    void noAttemptLeavesAFileOfTheRecordingDirectoryOpen() throws Exception {
        for (String id : List.of("ok", "retried", "cut", "refused")) {
            B3lbRecordings.ready(dir, id, B3lbRecordings.nonce(), 256 << 10);
        }
        sink.script("retried", Sink.Action.status(503), Sink.Action.status(502), Sink.Action.status(200));
        sink.script("cut", Sink.Action.CLOSE_MID_BODY, Sink.Action.status(200));
        sink.script("refused", Sink.Action.status(403));
        node = RunningNode.builder(dir)
                .with("b3lb.protocol", "b3lb")
                .with("b3lb.upload.secret", "")
                .with("b3lb.upload.endpoint", sink.endpoint())
                .with("b3lb.upload.initial-delay", "50ms")
                .with("b3lb.upload.max-delay", "10m")
                .start();

        await().atMost(WAIT).until(() -> List.of("ok", "retried", "cut").stream()
                .allMatch(id -> Files.exists(new RecordingFiles(dir, id).evidence()))
                && !logs.lines("ERROR", "refused: upload refused: HTTP 403").isEmpty());
        assertThat(sink.received("retried")).hasSize(3);
        assertThat(sink.received("cut")).hasSizeGreaterThanOrEqualTo(1);

        // the files close as each exchange completes, a moment after the evidence and the log line
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openIn(dir)).as("files left open").isEmpty());
    }

    /** The files of {@code dir} this JVM holds open, by their paths. */
    static List<Path> openIn(Path dir) throws IOException {
        Path real = dir.toRealPath();
        List<Path> open = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(real) && !target.equals(real)) { // a poll lists the directory itself
                        open.add(target);
                    }
                } catch (IOException e) {
                    // closed while listed
                }
            }
        }
        return open;
    }
}
